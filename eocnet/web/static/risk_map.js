// The importation-risk map: countries coloured by their share of the origins'
// outbound travel (Leaflet, no tile server; country shapes from world-atlas,
// served by eocnet). The table beside it carries the same figures.
(function () {
  "use strict";
  function draw() {
    const el = document.getElementById("importation-map");
    if (!el || !window.L || !window.topojson) return;
    const shares = JSON.parse(el.dataset.shares || "{}");
    const origins = new Set(JSON.parse(el.dataset.origins || "[]"));
    const points = JSON.parse(el.dataset.points || "{}");
    const largest = Math.max(0.0001, ...Object.values(shares));
    const map = L.map(el, { worldCopyJump: true, zoomSnap: 0.5, minZoom: 1 }).setView([15, 105], 2);
    map.attributionControl.addAttribution(el.dataset.attribution || "");
    fetch(el.dataset.atlas)
      .then((response) => response.json())
      .then((world) => {
        const countries = topojson.feature(world, world.objects.countries);
        // Antarctica's outline crosses the antimeridian and draws a stray line
        countries.features = countries.features.filter((f) => f.id !== "010");
        const layer = L.geoJSON(countries, {
          style: (feature) => {
            const share = shares[feature.id] || 0;
            if (origins.has(feature.id)) {
              return { weight: 0.6, color: "#555", fillColor: "#222", fillOpacity: 0.85 };
            }
            return {
              weight: 0.6,
              color: "#777",
              fillColor: share > 0 ? "#b00020" : "#4f7cac",
              fillOpacity: share > 0 ? 0.2 + 0.75 * share / largest : 0.07,
            };
          },
          onEachFeature: (feature, shape) => {
            const share = shares[feature.id];
            const name = (feature.properties && feature.properties.name) || "";
            shape.bindTooltip(share ? name + ": " + (100 * share).toFixed(1) + "%" : name);
          },
        }).addTo(map);
        // countries too small for the atlas' shapes get a dot where their airports are
        const drawn = new Set(countries.features.map((f) => f.id));
        const ids = [...Object.keys(shares), ...origins].filter((id) => !drawn.has(id) && points[id]);
        ids.forEach((id) => {
          const origin = origins.has(id);
          L.circleMarker(points[id], {
            radius: 5,
            weight: 1,
            color: "#555",
            fillColor: origin ? "#222" : "#b00020",
            fillOpacity: origin ? 0.9 : 0.2 + 0.75 * (shares[id] || 0) / largest,
          }).bindTooltip(origin ? "origin" : (100 * shares[id]).toFixed(1) + "%").addTo(map);
        });
        el.dataset.ready = String(layer.getLayers().length);
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
