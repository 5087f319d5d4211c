// Draws each chart interactively from its Vega-Lite specification (bundled with this file).
// Without JavaScript, or if drawing fails, the static chart and its table stay as they are.
document.querySelectorAll("[data-spec]").forEach(async (view) => {
  const source = document.getElementById(view.dataset.spec);
  if (!source) return;
  const target = document.createElement("div");
  try {
    await vegaEmbed(target, JSON.parse(source.textContent), { actions: false, renderer: "svg" });
    // The figure's text alternative (on the wrapper) describes the chart for assistive
    // technology; the drawing itself is hidden from it, as the static one is.
    target.querySelectorAll("svg").forEach((svg) => svg.setAttribute("aria-hidden", "true"));
    view.replaceChildren(target);
    const table = view.parentElement.querySelector("details.chart-data");
    if (table) table.open = false;
  } catch (error) {
    console.warn("chart left static:", error);
  }
});
