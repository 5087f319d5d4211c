// Starts GOV.UK Frontend's components (served from this site; no inline script anywhere).
import { initAll } from "/assets/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
