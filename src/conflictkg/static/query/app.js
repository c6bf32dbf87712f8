/* conflictkg query page: a YASQE editor and YASR results wired to this server's /sparql endpoint,
   and the saved queries (from /api/queries), run on the server with their parameters bound.
   Everything it loads comes from this server: no CDN, no prefix.cc, no LOV. */
(function () {
  "use strict";

  var Yasqe = window.Yasgui.Yasqe;
  var Yasr = window.Yasgui.Yasr;
  var PREFIXES = {};
  var TERMS = null;
  var state = { mode: "editor", saved: null, values: {} };

  var DEFAULT_QUERY = [
    "PREFIX ckg: <https://w3id.org/conflictkg/ontology#>",
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    "",
    "# Every event in the graph (the ontology is loaded too, so subclasses count)",
    "SELECT ?event ?label WHERE {",
    "  ?event a/rdfs:subClassOf* ckg:Event ;",
    "         rdfs:label ?label .",
    "}",
    "ORDER BY ?label",
    "LIMIT 100",
  ].join("\n");

  function $(id) { return document.getElementById(id); }

  function make(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function setStatus(message, isError) {
    var status = $("status");
    status.textContent = message;
    status.className = isError ? "error" : "";
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function loadTerms() {
    if (!TERMS) TERMS = getJSON("/api/terms");
    return TERMS;
  }

  // Prefix completion: our prefixes first, then YASQE's bundled list (never fetched from the web).
  Yasqe.forkAutocompleter("prefixes", {
    name: "ckgPrefixes",
    persistenceId: null,
    get: function (yasqe) {
      var ours = Object.keys(PREFIXES).map(function (p) { return p + ": <" + PREFIXES[p] + ">"; });
      var taken = {};
      Object.keys(PREFIXES).forEach(function (p) { taken[p] = true; });
      return Yasqe.Autocompleters.prefixes.get(yasqe).then(function (bundled) {
        return ours.concat(bundled.filter(function (line) { return !taken[line.split(":")[0]]; }));
      });
    },
  }, false);

  // Class and property completion from this graph and its ontology (instead of the LOV web API).
  function termCompleter(name, key) {
    return {
      name: name,
      persistenceId: null,
      get: function (yasqe, token) {
        var typed = ((token && token.autocompletionString) || "").toLowerCase();
        return loadTerms().then(function (terms) {
          return terms[key].filter(function (iri) { return iri.toLowerCase().indexOf(typed) === 0; }).slice(0, 60);
        });
      },
    };
  }
  Yasqe.forkAutocompleter("class", termCompleter("ckgClass", "classes"), false);
  Yasqe.forkAutocompleter("property", termCompleter("ckgProperty", "properties"), false);

  // A prefixed name SPARQL and Turtle both read (no '/' in the local part, no final '.').
  var PNAME = /^([A-Za-z][\w.-]*[\w-])?:([\w:]([\w.:-]*[\w:-])?)?$/;

  function orderedPrefixes(prefixes) {
    // longest namespace first, so actor:rfi wins over kid:actor/rfi
    var ordered = {};
    Object.keys(prefixes).sort(function (a, b) { return prefixes[b].length - prefixes[a].length; })
      .forEach(function (p) { ordered[p] = prefixes[p]; });
    return ordered;
  }

  // Result cells: IRIs open their local page (/resource), and a shortened name that could not be
  // pasted back into a query is written whole.
  function localLinks(root) {
    Array.prototype.forEach.call(root.querySelectorAll("a[href]:not([data-local])"), function (a) {
      var iri = a.getAttribute("href");
      if (!/^(https?:|urn:)/.test(iri)) return;
      a.setAttribute("data-local", "true");
      a.setAttribute("href", "/resource?iri=" + encodeURIComponent(iri));
      a.removeAttribute("target");
      a.setAttribute("title", iri);
      var text = a.textContent;
      if (text.charAt(0) !== "<" && text !== iri && !PNAME.test(text)) a.textContent = "<" + iri + ">";
    });
  }

  // Prefixes this server knows, added to the editor when a query uses them without PREFIX lines.
  function declareKnownPrefixes(yasqe) {
    var declared = yasqe.getPrefixesFromQuery();
    var text = yasqe.getValue().replace(/<[^>\s]*>/g, " ").replace(/"[^"\n]*"|'[^'\n]*'|#[^\n]*/g, " ");
    var missing = {};
    var used = /(^|[\s(\[{,;/|^!])([A-Za-z][\w-]*):/g, match;
    while ((match = used.exec(text))) {
      var prefix = match[2];
      if (PREFIXES[prefix] && !(prefix in declared) && prefix.toUpperCase() !== "PREFIX") missing[prefix] = PREFIXES[prefix];
    }
    if (Object.keys(missing).length) yasqe.addPrefixes(missing);
  }

  function queryKind(yasqe) {
    try { return (yasqe.getQueryType() || "").toUpperCase(); } catch (e) { return ""; }
  }

  function rowCount(yasr, kind) {
    if (kind === "CONSTRUCT" || kind === "DESCRIBE") {
      try {
        var triples = yasr.results && yasr.results.getBindings();
        if (triples) return triples.length + " triple" + (triples.length === 1 ? "" : "s");
      } catch (e) { /* no graph */ }
    }
    try {
      var bindings = yasr.results && yasr.results.getBindings();
      if (bindings) return bindings.length + " row" + (bindings.length === 1 ? "" : "s");
      var answer = yasr.results && yasr.results.getBoolean();
      if (answer !== undefined && answer !== null) return "answer: " + answer;
    } catch (e) { /* not a result set (a graph or an error) */ }
    return "done";
  }

  function start(prefixes, catalogue, health) {
    PREFIXES = prefixes;
    $("limits").textContent = "queries stop after " + health.timeout + " s; at most " + health.max_results + " rows";

    var given = new URLSearchParams(window.location.search).get("query");
    var yasqe = new Yasqe($("editor"), {
      value: given || DEFAULT_QUERY,
      persistenceId: null,
      autocompleters: ["ckgPrefixes", "variables", "ckgClass", "ckgProperty"],
      requestConfig: {
        endpoint: "/sparql",
        method: "POST",
        acceptHeaderSelect: "application/sparql-results+json",
        acceptHeaderGraph: "text/turtle,*/*;q=0.9",
      },
      createShareableLink: null,
      consumeShareLink: null,
      editorHeight: "260px",
      resizeable: true,
      showQueryButton: true,
    });
    var yasr = new Yasr($("results"), {
      prefixes: orderedPrefixes(prefixes),
      persistenceId: null,
      plugins: { table: { dynamicConfig: { compact: true, isEllipsed: false, pageSize: 50 } } },
    });
    window.conflictkg = { yasqe: yasqe, yasr: yasr };
    new MutationObserver(function () { localLinks($("results")); }).observe($("results"), { childList: true, subtree: true });
    declareKnownPrefixes(yasqe);
    var pending = null;
    yasqe.on("change", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { declareKnownPrefixes(yasqe); }, 400);
    });

    yasqe.on("query", function () {
      state.mode = "editor";
      declareKnownPrefixes(yasqe);
      // a permalink: reloading the page (or sharing its address) brings the query back
      window.history.replaceState(null, "", "?query=" + encodeURIComponent(yasqe.getValue()));
      setStatus("Running your query…");
    });
    yasqe.on("queryResponse", function (_instance, response, duration) {
      yasr.setResponse(response, duration);
      var failed = response && (response.status >= 400 || response instanceof Error);
      setStatus(failed ? "The server refused the query (see below)" : "Your query: " + rowCount(yasr, queryKind(yasqe)) + " in " + duration + " ms", failed);
      $("download-csv").disabled = $("download-json").disabled = false;
    });

    buildSavedList(catalogue, yasqe, yasr);
    $("download-csv").addEventListener("click", function () { download("csv", yasqe); });
    $("download-json").addEventListener("click", function () { download("json", yasqe); });
    setStatus("Ready: write a query and press ▶, or run a saved query.");
    document.body.setAttribute("data-ready", "true");
  }

  function buildSavedList(catalogue, yasqe, yasr) {
    var list = $("saved-list");
    list.textContent = "";
    catalogue.forEach(function (query) {
      var item = make("li", { className: "saved-query", "data-name": query.name });
      var title = make("button", { type: "button", className: "saved-title", text: query.title, title: query.name });
      var form = make("form", { className: "details" });
      form.appendChild(make("p", { className: "desc", text: query.description }));
      query.parameters.forEach(function (param) {
        var id = "param-" + query.name + "-" + param.name;
        form.appendChild(make("label", { for: id }, [
          document.createTextNode(param.name + " "),
          make("small", { text: "(" + param.type + ") " + param.description }),
        ]));
        form.appendChild(make("input", {
          id: id, name: param.name, value: param.default || "", placeholder: param.type,
          autocomplete: "off", spellcheck: "false",
        }));
      });
      form.appendChild(make("button", { type: "submit", className: "run-saved", text: "Run" }));
      title.addEventListener("click", function () { select(item, query, yasqe); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var values = {};
        query.parameters.forEach(function (param) {
          values[param.name] = form.elements[param.name].value;
        });
        runSaved(query, values, yasr);
      });
      item.appendChild(title);
      item.appendChild(form);
      list.appendChild(item);
    });
    if (!catalogue.length) list.appendChild(make("li", { text: "No saved queries are installed." }));
  }

  function select(item, query, yasqe) {
    Array.prototype.forEach.call(document.querySelectorAll(".saved-query.selected"), function (node) {
      node.classList.remove("selected");
    });
    item.classList.add("selected");
    yasqe.setValue(query.text);
    $("editor-title").textContent = "Saved query: " + query.title;
    var names = query.parameters.map(function (p) { return "?" + p.name; }).join(", ");
    $("editor-note").textContent = names
      ? "Run it from the list to bind " + names + " on the server; run from the editor, " + names + " stay unbound."
      : "Run it from the list or from the editor.";
  }

  function runSaved(query, values, yasr) {
    state.mode = "saved";
    state.saved = query;
    state.values = values;
    setStatus("Running " + query.title + "…");
    var started = performance.now();
    fetch("/api/queries/" + encodeURIComponent(query.name), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/sparql-results+json" },
      body: JSON.stringify({ params: values }),
    }).then(function (response) {
      return response.text().then(function (text) {
        var took = Math.round(performance.now() - started);
        if (!response.ok) {
          yasr.setResponse({ error: { status: response.status, statusText: response.statusText, text: text } }, took);
          setStatus(query.title + ": " + text.trim(), true);
          return;
        }
        yasr.setResponse({
          data: text, contentType: response.headers.get("Content-Type"), status: response.status, executionTime: took,
        }, took);
        setStatus(query.title + ": " + rowCount(yasr) + " in " + took + " ms");
        $("download-csv").disabled = $("download-json").disabled = false;
      });
    }).catch(function (error) {
      setStatus("Could not reach the server: " + error.message, true);
    });
  }

  function download(format, yasqe) {
    var form = $("download-form");
    form.textContent = "";
    function field(name, value) { form.appendChild(make("input", { type: "hidden", name: name, value: value })); }
    if (state.mode === "saved" && state.saved) {
      form.action = "/api/queries/" + encodeURIComponent(state.saved.name);
      Object.keys(state.values).forEach(function (name) { field(name, state.values[name]); });
      field("download", state.saved.name);
    } else {
      form.action = "/sparql";
      field("query", yasqe.getValue());
      field("download", "results");
    }
    field("format", format);
    form.submit();
  }

  Promise.all([getJSON("/api/prefixes"), getJSON("/api/queries"), getJSON("/health")])
    .then(function (loaded) { start(loaded[0], loaded[1], loaded[2]); })
    .catch(function (error) { setStatus("The page could not start: " + error.message, true); });
})();
