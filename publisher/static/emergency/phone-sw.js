/* Service worker of the household's phone page (served as /emergency/phone/sw.js).
   The page and its files come from the network when there is one and from this cache when
   there is not, so the SMS fallback is offered without data. The JSON calls are never
   cached. */
"use strict";
var CACHE = "villagecast-phone-v1";
var SHELL = ["./", "manifest.webmanifest", "../../static/emergency/phone.css",
             "../../static/emergency/phone.js", "../../static/emergency/phone-192.png"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; })
                            .map(function (n) { return caches.delete(n); }));
  }));
});

self.addEventListener("fetch", function (event) {
  if (event.request.method !== "GET") { return; }
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(event.request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(event.request, {ignoreSearch: true});
  }));
});
