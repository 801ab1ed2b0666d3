// The review queue says when new cases arrive (new, or raised by a re-assessment) and offers to show them; it
// never reloads by itself, so a clinician reading or choosing a row keeps their place. Counts only: no patient
// data crosses this request. The notice is a polite live region, read out by screen readers.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const notice = document.getElementById("queue-arrivals");
  if (!notice) return;
  const { url, since } = notice.dataset;
  const seconds = Number(notice.dataset.pollSeconds) || 30;

  function plural(count, word) {
    return `${count} ${word}${count === 1 ? "" : "s"}`;
  }

  let shown = "";

  // A live region speaks each change: rewrite it only when what it says changes (not at every poll).
  function show(text, linkText) {
    if (text === shown) return;
    shown = text;
    notice.replaceChildren(text + " ");
    const reload = document.createElement("a");
    reload.href = window.location.href; // the same filters, sort and page
    reload.textContent = linkText;
    notice.append(reload);
  }

  async function check() {
    if (document.hidden) return;
    let counts;
    try {
      const response = await fetch(`${url}?since=${encodeURIComponent(since)}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "error", // signed out: the login page is not an answer
      });
      if (!response.ok) throw new Error(String(response.status));
      counts = await response.json();
    } catch {
      show("Could not check for new cases (signed out, or the service is unreachable).", "Reload the queue");
      return;
    }
    if (counts.total === 0) {
      shown = "";
      notice.replaceChildren(); // a failure said before is over: silent again
      return;
    }
    const flagged = [];
    if (counts.emergency) flagged.push(`${counts.emergency} emergency`);
    if (counts.urgent) flagged.push(`${counts.urgent} urgent`);
    const detail = flagged.length ? ` (${flagged.join(", ")})` : "";
    show(`${plural(counts.total, "new case")} since this page was loaded${detail}.`, "Show them");
    notice.classList.toggle("queue-arrivals-flagged", flagged.length > 0);
  }

  window.setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", check);
});
