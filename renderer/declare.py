"""How a content kind is declared: its fields, their limits and words, once.

Each kind is one module of :mod:`renderer.kinds` holding a :class:`KindDeclaration`; the
renderer's parser, the admin form, the API schema, the spreadsheet import, the history diff
and the programme guide are all derived from it, so a limit or a label written here is the
one every door enforces and shows. Pure: no Flask, no database.

Labels, help and messages are the Chinese source strings; the publisher translates them
through its catalogue and falls back to the declaration's ``en`` for a kind the catalogue
does not know yet (a new kind needs no edit to the shared catalogue).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class ItemError(ValueError):
    """An item that cannot be rendered or stored; the message names the offending field.

    ``field`` (when set) is the field's name, so a door can show the message beside it.
    """

    field: str | None = None


# Field types: how a value is checked, stored, aired and typed into a form.
TEXT = "text"  # one line
LONG = "long"  # several paragraphs
LINES = "lines"  # a list of one-line entries (steps, documents)
DATE = "date"  # YYYY-MM-DD
DATETIME = "datetime"  # YYYY-MM-DDTHH:MM (a board's last update)
PRICE = "price"  # yuan, up to two decimals
PHONE = "phone"  # one number (a produce card turns it into a QR code to call)
CONTACT = "contact"  # one line of free text with phone numbers in it (单位 + 电话)
PHOTO = "photo"  # set only by an upload: never a path a client names
RECORDING = "recording"  # a recorded announcement: an upload too (renderer.recording)
CHOICE = "choice"  # one of ``choices``
VIDEO = "video"  # an uploaded clip: an upload too, checked by renderer.media_probe
SECONDS = "seconds"  # a point in a clip: seconds (12.5) or minutes:seconds (1:05)
ROWS = "rows"  # a table: a list of rows, each checked by ``Field.row``
UPLOADS = (PHOTO, RECORDING, VIDEO)

LONG_TEXT = 4000  # characters; a policy body longer than this would air for many minutes
LIST_TEXT = 3000  # characters over all entries of a list
TITLE_MAX = 60  # characters; longer titles do not fit a TV page in large type
# A typo such as 0202 or 20250 must not reach time-zone arithmetic or a guide.
YEARS = (2000, 2099)
PRICE_MAX = 9_999_999.99  # the price box on a produce card fits seven digits
PRICE_TEXT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
CLIP_SECONDS_MAX = 3600  # a trim point past any upload's length is a typo

# Where a kind's content comes from (KindDeclaration.source).
REVIEWED = "reviewed"  # typed by staff, approved before it airs
DERIVED = "derived"  # built by the publisher from other records (roster, whereabouts board)
ALERT = "alert"  # issued straight to air by the emergency workflow, never reviewed
IDENT = "ident"  # the channel's own filler


@dataclass(frozen=True)
class Column:
    """A field's column in an import spreadsheet: the header staff write, and help for it."""

    header: str
    aliases: tuple[str, ...] = ()  # other headers township sheets really use
    note: str = ""  # what to write (shown in the template's second row)
    example: str = ""


@dataclass(frozen=True)
class Field:
    """One field of a kind. ``label`` names it everywhere: form, messages, diff, API."""

    name: str
    label: str
    type: str = TEXT
    limit: int = 0  # characters; 0 = no limit of its own
    required: bool = False  # refused empty at every door (form, API, import, parser)
    choices: tuple[str, ...] = ()  # closed list: any other value is refused
    # Open list offered as a datalist; a string names a list the publisher fills from its
    # records (e.g. "villages": the township's villages).
    suggestions: tuple[str, ...] | str = ()
    help: str = ""  # the form's description under the box
    placeholder: str = ""  # CHOICE: what the empty choice says (none: no empty choice)
    # The form asks for it with this message even when the API and import accept it empty
    # (staff at the form always know a seller's phone; a spreadsheet row may not).
    required_message: str = ""
    wide: bool = False  # takes a whole row of the form (long texts and lists always do)
    column: Column | None = None  # None: not importable from a spreadsheet
    personal: bool = False  # a resident's data: encrypted at rest, masked, never aired
    row: tuple[Field, ...] = ()  # ROWS: the fields of each row
    row_item: type | None = None  # ROWS: the dataclass of each row

    @property
    def asked(self) -> bool:
        """Whether the admin form insists on a value."""
        return self.required or bool(self.required_message)

    @property
    def upload(self) -> bool:
        return self.type in UPLOADS


Summary = tuple[str, ...] | Callable[[Mapping[str, Any]], list[str]]


# Fields several kinds declare alike: one declaration each, so they cannot drift apart.
ENQUIRY_PHONE = Field("contact", "咨询电话", CONTACT, 40,
                      help="可写单位和电话，例如：乡农业服务中心 0991-1234567")
# A recorded announcement (村广播), read on air in place of the synthesised narration.
ANNOUNCEMENT = Field("recording", "录音", RECORDING)


@dataclass(frozen=True)
class KindDeclaration:
    """Everything about one content kind, declared once (see the module docstring).

    ``summary`` lists what a list line shows under the title: a field name, or a format
    such as ``"%(price)s 元/%(unit)s"`` shown when its first named field is set (formats are
    translated like labels); or a function of the data returning the parts.
    """

    name: str  # stored and API type, e.g. "policy"
    label: str  # the one Chinese word for it, e.g. 惠农政策
    fields: tuple[Field, ...]  # in the form's order
    item: type  # the renderer's frozen dataclass
    template: str = ""  # module of renderer.templates ("" = not paged: video airs as a clip)
    source: str = REVIEWED
    order: int = 100  # position in menus and lists
    collection: str = ""  # API path segment, e.g. "policies"; "" = not in the content API
    title_field: str = "title"  # what lists are titled by
    category_field: str = ""  # what a list's category column shows
    category_label: str = ""  # its heading ("" = that field's label)
    guide_category: str = ""  # the programme guide's category ("" = label)
    summary: Summary = ()
    narrated: bool = True  # its pages may be read aloud
    check: Callable[[dict[str, Any]], None] | None = None  # cross-field rules
    build: Callable[[dict[str, Any]], Any] | None = None  # cleaned data → item
    # What the parser checks when what airs is not what is typed (a ledger's monthly counts,
    # built by the publisher from the requests' intake ``fields``); empty: ``fields``.
    aired: tuple[Field, ...] = ()
    en: Mapping[str, str] = field(default_factory=dict)  # English for its words

    def field(self, name: str) -> Field:
        """The declaration of one field (KeyError if the kind has no such field)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}.{name}")

    @property
    def aired_fields(self) -> tuple[Field, ...]:
        """The fields of the item that airs (see ``aired``)."""
        return self.aired or self.fields

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def columns(self) -> tuple[Field, ...]:
        """The fields a spreadsheet may fill, in the template's order."""
        return tuple(f for f in self.fields if f.column is not None)

    @property
    def category_heading(self) -> str:
        if self.category_label:
            return self.category_label
        return self.field(self.category_field).label if self.category_field else ""

    @property
    def guide_title(self) -> str:
        return self.guide_category or self.label

    @property
    def personal_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.personal)

    @property
    def words(self) -> tuple[str, ...]:
        """Every Chinese text of the kind a screen may show (for catalogues and checks)."""
        out = [self.label, self.category_heading]
        for f in self.fields:
            out += [f.label, f.help, f.placeholder, f.required_message, *f.choices]
            out += [r.label for r in f.row]
        if isinstance(self.summary, tuple):
            out += [s for s in self.summary if "%(" in s]
        return tuple(w for w in dict.fromkeys(out) if w)
