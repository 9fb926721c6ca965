// Progressive enhancement of the server-rendered pages: job progress bars and Plotly figures.
"use strict";

// Once someone types or picks something on the page, a job that finishes must not reload it under them.
let touched = false;
document.addEventListener("input", () => { touched = true; });
document.addEventListener("submit", () => { touched = true; });

// A job's progress bar polls the session's job status until the job ends, then reloads the page it names
// (or, on a page someone is filling in, offers a link to it).
function followJob(element) {
  const bar = element.querySelector("progress");
  const message = element.querySelector(".job-message");
  const finished = () => {
    if (!touched) { window.location.replace(element.dataset.done); return; }
    message.innerHTML = "";
    const link = Object.assign(document.createElement("a"), {href: element.dataset.done, textContent: "show the results"});
    message.append("succeeded: ", link);
  };
  const poll = async () => {
    const response = await fetch(`/jobs/${element.dataset.job}/status`, {credentials: "same-origin"});
    if (!response.ok) { message.textContent = `job status unavailable (HTTP ${response.status})`; return; }
    const job = await response.json();
    bar.value = job.progress || 0;
    message.textContent = `${job.status}${job.message && job.message !== job.status ? ": " + job.message : ""}`;
    if (job.status === "succeeded") {
      // a moment to read "succeeded" before the page comes back with the job's results
      setTimeout(finished, 400);
      return;
    }
    if (job.status === "failed" || job.status === "cancelled") {
      message.textContent = `${job.status}: ${job.error || ""}`;
      message.classList.add("error");
      return;
    }
    setTimeout(poll, 500);
  };
  poll();
}

// Each plot container names its figure in the page's JSON of figures.
function drawFigures() {
  const source = document.getElementById("figures");
  if (!source || typeof Plotly === "undefined") return;
  const figures = JSON.parse(source.textContent);
  for (const element of document.querySelectorAll("[data-figure]")) {
    const figure = figures[element.dataset.figure];
    Plotly.newPlot(element, figure.data, figure.layout, {responsive: true, displaylogo: false});
  }
}

// No inline handlers: the Content-Security-Policy runs only this file and Plotly's.
document.querySelectorAll("[data-print]").forEach((link) => link.addEventListener("click", (event) => {
  event.preventDefault();
  window.print();
}));
// Stored times are UTC to the second; the reader sees them in their own zone.
document.querySelectorAll("time[datetime]").forEach((element) => {
  const when = new Date(element.getAttribute("datetime"));
  if (Number.isNaN(when.getTime())) return;
  element.textContent = when.toLocaleString(undefined, {year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
                                                        minute: "2-digit", second: "2-digit", timeZoneName: "short"});
});
document.querySelectorAll("[data-job]").forEach(followJob);
drawFigures();
