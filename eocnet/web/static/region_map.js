// The regional dashboard's map: countries shaded by their open events (Leaflet,
// no tile server; shapes from the world-atlas served by eocnet). Redrawn when
// the stream announces an event, like the panels below it.
(function () {
  "use strict";
  let map = null;
  let layer = null;
  let world = null;
  function paint(el) {
    fetch(el.dataset.source, { credentials: "same-origin" })
      .then((response) => response.json())
      .then((counts) => {
        const points = JSON.parse(el.dataset.points || "{}");
        const largest = Math.max(1, ...Object.values(counts));
        if (layer) { layer.remove(); }
        layer = L.layerGroup().addTo(map);
        const countries = topojson.feature(world, world.objects.countries);
        countries.features = countries.features.filter((f) => f.id !== "010");
        const numeric = JSON.parse(el.dataset.numeric || "{}");
        const byNumeric = {};
        Object.entries(counts).forEach(([code, n]) => { if (numeric[code] && n > 0) byNumeric[numeric[code]] = n; });
        L.geoJSON(countries, {
          style: (f) => {
            const n = byNumeric[f.id] || 0;
            return { weight: 0.6, color: "#777", fillColor: n ? "#b00020" : "#4f7cac", fillOpacity: n ? 0.25 + 0.7 * n / largest : 0.06 };
          },
          onEachFeature: (f, shape) => {
            const n = byNumeric[f.id];
            shape.bindTooltip(((f.properties && f.properties.name) || "") + (n ? ": " + n : ""));
          },
        }).addTo(layer);
        // countries too small for the atlas' shapes (Singapore, Brunei) get a dot
        const drawn = new Set(countries.features.map((f) => f.id));
        Object.entries(byNumeric).forEach(([id, n]) => {
          if (!drawn.has(id) && points[id]) {
            L.circleMarker(points[id], { radius: 4 + 6 * n / largest, weight: 1, color: "#555", fillColor: "#b00020", fillOpacity: 0.8 })
              .bindTooltip(String(n)).addTo(layer);
          }
        });
        el.dataset.ready = String(Object.keys(byNumeric).length);
      });
  }
  function draw() {
    const el = document.getElementById("region-map");
    if (!el || !window.L || !window.topojson) return;
    map = L.map(el, { zoomSnap: 0.5, minZoom: 1 }).setView([8, 112], 3);
    fetch(el.dataset.atlas).then((r) => r.json()).then((atlas) => {
      world = atlas;
      paint(el);
      document.body.addEventListener("htmx:afterSwap", (event) => {
        if (event.target && event.target.id === "region-panels") paint(el);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
