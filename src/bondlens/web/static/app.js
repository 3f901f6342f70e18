/* bondlens, the one script of the local web app (no inline script anywhere; nothing here contacts any site).
 *
 * - Quick exit: the button on every page and the Esc key replace the page with a neutral site
 *   (location.replace), so Back does not return to it.
 * - One history entry: links inside the app and form submissions also use location.replace(), so the whole
 *   visit is a single entry in the browser's back list, and the quick exit replaces exactly that one.
 * - Forms are sent with XMLHttpRequest (upload progress; the server answers with the address to open), except
 *   the buttons marked data-download, whose answer is a file to save.
 * - The progress page asks the server how far the analysis has got, and moves on when it is done.
 * - After several wrong passphrases, the "Your cases" page counts down the wait before the next try (the server
 *   enforces the wait itself; this only keeps the number on the page right).
 */
(function () {
  "use strict";

  var FALLBACK_EXIT = "https://www.bbc.co.uk/weather";

  function exitUrl() {
    var link = document.getElementById("quick-exit");
    return link && link.href ? link.href : FALLBACK_EXIT;
  }

  function quickExit(event) {
    if (event) {
      event.preventDefault();
      event.stopPropagation();
    }
    document.documentElement.classList.add("leaving");
    window.location.replace(exitUrl());
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" || event.key === "Esc") {
      quickExit(event);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a") : null;
    if (!link) {
      return;
    }
    if (link.id === "quick-exit") {
      quickExit(event);
      return;
    }
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey || link.hasAttribute("download") || link.target || link.origin !== window.location.origin) {
      return;
    }
    event.preventDefault();
    if (link.pathname === window.location.pathname && link.search === window.location.search && link.hash) {
      var section = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (section) {
        if (section.tagName === "DETAILS") {
          section.open = true;
        }
        section.scrollIntoView();
        window.history.replaceState(null, "", link.hash);
      }
      return;
    }
    window.location.replace(link.href);
  });

  function showError(form, text) {
    var box = form.querySelector(".form-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "error form-error";
      box.setAttribute("role", "alert");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = text;
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  // The page the server named after a form. location.replace() alone would not load it when it differs from this
  // page's address only by its #part (the browser just scrolls): then the page is loaded again, at that part.
  function openAddress(address) {
    var target = new URL(address, window.location.href);
    if (target.pathname === window.location.pathname && target.search === window.location.search) {
      if (target.hash !== window.location.hash) {
        window.history.replaceState(null, "", target.href);
      }
      window.location.reload();
      return;
    }
    window.location.replace(target.href);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    if (submitter && submitter.hasAttribute("data-download")) {
      return;  // a file to save: the browser downloads it and stays on this page (no history entry)
    }
    event.preventDefault();
    // getAttribute: a field named "action" or "method" would shadow form.action and form.method
    var action = form.getAttribute("action") || window.location.pathname;
    var method = (form.getAttribute("method") || "get").toLowerCase();
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    if (method !== "post") {
      var target = new URL(action, window.location.href);
      target.search = new URLSearchParams(data).toString();
      window.location.replace(target.href);
      return;
    }
    var file = form.querySelector("input[type=file]");
    var chosen = file && file.files && file.files[0];
    var max = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    if (chosen && max && chosen.size > max) {
      showError(form, chosen.name + " is " + megabytes(chosen.size) + ", larger than the " +
        form.getAttribute("data-limit-text") + " limit. Export a shorter period, or start bondlens with a " +
        "larger limit: bondlens serve --max-size 1GB");
      return;
    }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    var box = form.querySelector(".upload-progress");
    var bar = box ? box.querySelector("progress") : null;
    var status = box ? box.querySelector(".status") : null;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", action);
    xhr.setRequestHeader("X-Bondlens-Fetch", "1");
    if (box && chosen) {
      box.hidden = false;
      status.textContent = "Opening " + chosen.name + " (it stays on this computer)";
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        status.textContent = "Reading the file";
      });
    }
    xhr.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (ignored) {
        answer = null;
      }
      if (answer && answer.location) {
        openAddress(answer.location);
        return;
      }
      buttons.forEach(function (b) { b.disabled = false; });
      if (box) {
        box.hidden = true;
      }
      showError(form, xhr.status === 403 ? "This page has expired. Reload it and try again."
        : (xhr.responseText || "Something went wrong.").slice(0, 400));
    });
    xhr.addEventListener("error", function () {
      buttons.forEach(function (b) { b.disabled = false; });
      showError(form, "bondlens did not answer. Is it still running?");
    });
    xhr.send(data);
  });

  function poll(job) {
    var bar = document.getElementById("job-bar");
    var stage = document.getElementById("job-stage");
    var step = document.getElementById("job-step");
    var steps = document.getElementById("job-steps");
    var error = document.getElementById("job-error");
    fetch(job.getAttribute("data-status-url"), {headers: {"X-Bondlens-Fetch": "1"}, cache: "no-store"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("gone");
        }
        return response.json();
      })
      .then(function (s) {
        if (s.state === "done" || s.state === "none") {
          window.location.replace(s.next);
          return;
        }
        if (s.state === "failed") {
          error.textContent = s.error;
          error.hidden = false;
          return;
        }
        bar.value = s.percent;
        stage.textContent = s.stage;
        step.textContent = s.step;
        steps.textContent = s.steps;
        window.setTimeout(function () { poll(job); }, 600);
      })
      .catch(function (e) {
        if (e && e.message === "gone") {
          error.textContent = "This chat is no longer here; open it again from Your chats.";
          error.hidden = false;
          return;
        }
        window.setTimeout(function () { poll(job); }, 2000);
      });
  }

  function waitText(seconds) {
    function unit(n, word) {
      return n + " " + word + (n === 1 ? "" : "s");
    }
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (!minutes) {
      return unit(rest, "second");
    }
    return unit(minutes, "minute") + (rest ? " " + unit(rest, "second") : "");
  }

  function countDown(time) {
    var left = parseInt(time.getAttribute("data-seconds") || "0", 10);
    var started = Date.now();
    var line = document.getElementById("unlock-wait-line");
    function tick() {
      var now = left - Math.floor((Date.now() - started) / 1000);
      if (now <= 0) {
        if (line) {
          line.textContent = "You can try your passphrase again now.";
        }
        return;
      }
      time.textContent = waitText(now);
      window.setTimeout(tick, 250);
    }
    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wait = document.getElementById("unlock-wait-time");
    if (wait) {
      countDown(wait);
    }
    var job = document.getElementById("job");
    var error = document.getElementById("job-error");
    if (job && error && error.hidden) {
      poll(job);
    }
  });
}());
