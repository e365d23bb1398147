"""Outbound HTTP(S) fetches that staff configure (CAP sources), guarded against SSRF.

A URL typed into the admin must not make the server reach into its own network: every
address a host name resolves to is checked, and the connection is made to the checked
address itself (so a DNS answer that changes between check and connect, "rebinding", gains
nothing). Redirects go through the same check, only to http/https. Loopback, private,
link-local, multicast, reserved and unspecified addresses are refused, IPv4 and IPv6 alike,
including IPv4 written inside IPv6 (``::ffff:127.0.0.1``, 6to4, NAT64). The setting
``OUTBOUND_ALLOW`` (``VILLAGECAST_OUTBOUND_ALLOW``: host names, addresses or networks,
comma separated) lets an operator name an internal feed on purpose.

Errors carry only a neutral Chinese reason (never the response body, the internal error
text or the address a name resolved to), so the alerts page cannot be used to map ports.

No proxy from the environment is used: a proxy would make the connection on our behalf and
the address check would test the proxy instead of the target.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

SCHEMES = ("http", "https")
MAX_REDIRECTS = 3
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchRefused(OSError):
    """A fetch refused or failed; ``str`` is a neutral Chinese reason fit for staff."""


@dataclass(frozen=True)
class AllowList:
    """Hosts and networks an operator allows although they are internal."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str] | None) -> AllowList:
        """From ``"cap.local, 10.0.0.0/8, 127.0.0.1"`` or a list of such entries."""
        if isinstance(entries, str):
            entries = entries.split(",")
        hosts, networks = set(), []
        for entry in (e.strip() for e in entries or ()):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def names(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def covers(self, address: IpAddress) -> bool:
        return any(address in net for net in self.networks if net.version == address.version)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_internal(address: IpAddress) -> bool:
    """Whether ``address`` is one a user-configured fetch must not reach (pure)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:  # judged by the IPv4 address it carries, as it is reached
            return is_internal(inner)
    return (not address.is_global or address.is_multicast or address.is_reserved
            or address.is_unspecified or address.is_loopback or address.is_link_local
            or address.is_private)


def _resolve(host: str, port: int) -> list[tuple[int, IpAddress]]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused("无法解析该网址的主机名。") from exc
    found = []
    for family, _type, _proto, _name, sockaddr in infos:
        # An IPv6 sockaddr may carry a zone ("fe80::1%eth0"): the address is what counts.
        found.append((family, ipaddress.ip_address(sockaddr[0].split("%")[0])))
    if not found:
        raise FetchRefused("无法解析该网址的主机名。")
    return found


def permitted_addresses(host: str, port: int, allow: AllowList) -> list[tuple[int, IpAddress]]:
    """Every address ``host`` resolves to, or FetchRefused if any of them is internal and not
    allowed (one bad answer among good ones is refused too: which one a client picks is not
    ours to know)."""
    resolved = _resolve(host, port)
    if allow.names(host):
        return resolved
    for _family, address in resolved:
        if is_internal(address) and not allow.covers(address):
            log.warning("outbound fetch to %s refused: internal address", host)
            raise FetchRefused("该网址指向内部网络或保留地址，不允许访问。")
    return resolved


def check_url(url: str, allow: AllowList, *, resolve: bool = True) -> str:
    """``url`` stripped if it may be fetched; FetchRefused with the reason otherwise.

    ``resolve=False`` checks only its form and any literal address (for a form whose host
    may not resolve from here yet)."""
    url = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused("网址格式无效。") from exc
    if parts.scheme not in SCHEMES:
        raise FetchRefused("只能使用 http 或 https 网址。")
    if not parts.hostname:
        raise FetchRefused("网址缺少主机名。")
    if parts.username or parts.password:
        raise FetchRefused("网址不能包含用户名或密码。")
    if resolve:
        permitted_addresses(parts.hostname, port, allow)
    else:
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            return url
        if is_internal(literal) and not allow.covers(literal) and not allow.names(
                parts.hostname):
            raise FetchRefused("该网址指向内部网络或保留地址，不允许访问。")
    return url


def _guarded_connector(allow: AllowList):  # noqa: ANN202
    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,  # noqa: ANN001, ANN202
                          source_address=None):  # noqa: ANN001
        host, port = address
        last: OSError | None = None
        for family, ip in permitted_addresses(host, port, allow):
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect((str(ip), port))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        raise last or FetchRefused("无法连接到该网址。")

    return create_connection


def _opener(allow: AllowList) -> urllib.request.OpenerDirector:
    connect = _guarded_connector(allow)

    class GuardedHTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._create_connection = connect

    class GuardedHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super().__init__(*args, **kwargs)
            self._create_connection = connect  # TLS still checks the host name

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req):  # noqa: ANN001, ANN202
            return self.do_open(GuardedHTTPConnection, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req):  # noqa: ANN001, ANN202
            return self.do_open(GuardedHTTPSConnection, req, context=self._context)

    class RedirectHandler(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN202
            check_url(newurl, allow, resolve=False)  # the connection checks the address
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    # Built by hand, not build_opener(): no ProxyHandler, FileHandler, FTPHandler or
    # DataHandler, so only http(s) is spoken and only to the checked address.
    opener = urllib.request.OpenerDirector()
    for handler in (HTTPHandler(), HTTPSHandler(), RedirectHandler(),
                    urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str, allow: AllowList, *, max_bytes: int, timeout: float = 10) -> bytes:
    """The body at ``url`` (at most ``max_bytes`` + 1 bytes, so callers can tell it is too
    big), or FetchRefused with a neutral reason."""
    url = check_url(url, allow, resolve=False)
    request = urllib.request.Request(url, headers={"User-Agent": "villagecast-cap/1"})
    try:
        with _opener(allow).open(request, timeout=timeout) as response:
            return response.read(max_bytes + 1)
    except FetchRefused:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchRefused(f"对方服务器返回错误（HTTP {exc.code}）。") from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        log.info("outbound fetch of %s failed: %r", urllib.parse.urlsplit(url).hostname, exc)
        if isinstance(getattr(exc, "reason", None), FetchRefused):
            raise exc.reason from exc
        raise FetchRefused("无法连接或读取该网址（超时、拒绝连接或网络不可达）。") from exc
