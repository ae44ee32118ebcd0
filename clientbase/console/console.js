// The clientbase console: search, a customer's 360 view, imports with live progress and
// the duplicate review, all through the public GraphQL API with the key kept in
// sessionStorage. No framework and no build: text is set with textContent, never HTML.
"use strict";

const KEY_STORE = "clientbase.apiKey";
const $ = (id) => document.getElementById(id);

function apiKey() {
  return sessionStorage.getItem(KEY_STORE) || "";
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

async function graphql(query, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey()}` },
    body: JSON.stringify({ query, variables: variables || {} }),
  });
  const body = await response.json().catch(() => ({}));
  const errors = body.errors || [];
  if (!response.ok || errors.length) {
    throw new Error(errors.map((e) => e.message).join("; ") || `HTTP ${response.status}`);
  }
  return body.data;
}

function element(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}

function fill(list, items, render) {
  list.replaceChildren(...items.map((item) => {
    const li = element("li");
    li.append(...render(item));
    return li;
  }));
  if (!items.length) list.replaceChildren(element("li", "none"));
}

// --- the API key -------------------------------------------------------------------------

async function useKey(event) {
  if (event) event.preventDefault();
  const given = $("api-key").value.trim();
  if (given) sessionStorage.setItem(KEY_STORE, given);
  $("api-key").value = "";
  if (!apiKey()) return;
  try {
    const data = await graphql("query ConsoleViewer { viewer { tenant { name } role } }");
    $("viewer").textContent = `${data.viewer.tenant.name} (${data.viewer.role})`;
    showError("");
  } catch (error) {
    $("viewer").textContent = "";
    showError(`The key was refused: ${error.message}`);
  }
}

// --- typeahead and the customer 360 view --------------------------------------------------

const SEARCH = `query ConsoleSearch($query: String!) {
  customerSearch(query: $query, first: 10) {
    matchedOn customer { id code legalName address { city } }
  }
}`;

const CUSTOMER = `query ConsoleCustomer($id: ID!) {
  node(id: $id) {
    ... on Customer {
      id code legalName tradeName taxId phone email status
      address { city country }
      overview { contacts sites contracts items }
      contacts(first: 20) { nodes { fullName email phone isPrimary } }
      sites(first: 20) { nodes { name address { city postalCode } } }
      contracts(first: 20) { nodes { number status startsOn endsOn } }
      inventory(first: 20) { totalCount nodes { serialNumber status productType { name } } }
    }
  }
}`;

let searchTimer = null;
let searchSeq = 0;

function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, 200);
}

async function search() {
  const query = $("search").value.trim();
  const seq = ++searchSeq;
  if (query.length < 3) {
    $("results").replaceChildren();
    return;
  }
  try {
    const data = await graphql(SEARCH, { query });
    if (seq !== searchSeq) return; // a later keystroke's answer wins
    fill($("results"), data.customerSearch, (hit) => {
      const open = element("button", hit.customer.legalName, { type: "button" });
      open.dataset.id = hit.customer.id;
      open.addEventListener("click", () => openCustomer(hit.customer.id));
      const city = hit.customer.address ? hit.customer.address.city : "";
      return [open, element("small", [hit.customer.code, city, hit.matchedOn.join(", ")]
        .filter(Boolean).join(" · "))];
    });
    showError("");
  } catch (error) {
    showError(`Search failed: ${error.message}`);
  }
}

async function openCustomer(id) {
  try {
    const { node: customer } = await graphql(CUSTOMER, { id });
    if (!customer) throw new Error("not found");
    $("customer-name").textContent = `${customer.legalName} (${customer.code})`;
    const facts = [["Trade name", customer.tradeName], ["Tax id", customer.taxId],
      ["Phone", customer.phone], ["E-mail", customer.email], ["Status", customer.status],
      ["City", customer.address && customer.address.city],
      ["Counts", `${customer.overview.contacts} contacts, ${customer.overview.sites} sites, ` +
        `${customer.overview.contracts} contracts, ${customer.overview.items} items`]];
    $("customer-facts").replaceChildren(...facts.filter(([, value]) => value)
      .flatMap(([label, value]) => [element("dt", label), element("dd", value)]));
    fill($("customer-contacts"), customer.contacts.nodes, (c) => [
      element("span", c.fullName + (c.isPrimary ? " (primary)" : "")),
      element("small", [c.email, c.phone].filter(Boolean).join(" · "))]);
    fill($("customer-sites"), customer.sites.nodes, (s) => [
      element("span", s.name),
      element("small", s.address ? [s.address.city, s.address.postalCode].filter(Boolean).join(" ") : "")]);
    fill($("customer-contracts"), customer.contracts.nodes, (c) => [
      element("span", c.number), element("small", [c.status, c.startsOn, c.endsOn].filter(Boolean).join(" · "))]);
    fill($("customer-inventory"), customer.inventory.nodes, (i) => [
      element("span", i.serialNumber), element("small", `${i.productType.name} · ${i.status}`)]);
    $("customer").hidden = false;
    showError("");
  } catch (error) {
    showError(`Could not open the customer: ${error.message}`);
  }
}

// --- imports: upload, start, and progress over graphql-transport-ws -----------------------

const IMPORT_START = `mutation ConsoleImportStart($input: ImportStartInput!) {
  importStart(input: $input) { job { id status } userErrors { field code message } }
}`;

const JOB_UPDATES = `subscription ConsoleJobUpdates($id: ID!) {
  jobUpdates(id: $id) { id status error progress { total processed created updated failed } }
}`;

const FINAL = new Set(["SUCCEEDED", "PARTIAL", "FAILED", "CANCELLED"]);

function showJob(job) {
  const bar = $("import-progress");
  const { total, processed, created, updated, failed } = job.progress;
  let percent = total ? Math.floor((100 * processed) / total) : 0;
  if (job.status === "SUCCEEDED" || job.status === "PARTIAL") percent = 100;
  bar.hidden = false;
  bar.value = percent;
  bar.dataset.status = job.status;
  $("import-status").textContent = `${job.status}: ${processed}${total ? ` of ${total}` : ""} rows ` +
    `(${created} created, ${updated} updated, ${failed} failed)${job.error ? ` ${job.error}` : ""}`;
}

function watchJob(jobId) {
  // The graphql-transport-ws protocol: connection_init with the key, then subscribe; the
  // server sends `next` per update and `complete` when the job has ended.
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/graphql`, "graphql-transport-ws");
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({ type: "connection_init",
      payload: { Authorization: `Bearer ${apiKey()}` } }));
  });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe",
        payload: { query: JOB_UPDATES, variables: { id: jobId } } }));
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "next") {
      if (message.payload.errors) showError(message.payload.errors.map((e) => e.message).join("; "));
      const job = message.payload.data && message.payload.data.jobUpdates;
      if (job) showJob(job);
      if (job && FINAL.has(job.status)) socket.close(1000);
    } else if (message.type === "error") {
      showError(`Progress stopped: ${message.payload.map((e) => e.message).join("; ")}`);
      socket.close(1000);
    } else if (message.type === "complete") {
      socket.close(1000);
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4403) showError("The key was refused for live progress.");
  });
}

async function startImport(event) {
  event.preventDefault();
  const file = $("import-file").files[0];
  if (!file) {
    showError("Choose a file to import.");
    return;
  }
  $("import-start").disabled = true;
  try {
    const upload = await fetch("/files", {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey()}`, "X-Filename": file.name,
        "Content-Type": file.type || "application/octet-stream",
        "X-Requested-With": "clientbase-console" },
      body: file,
    });
    const stored = await upload.json().catch(() => ({}));
    if (!upload.ok) throw new Error((stored.errors || [{ message: `HTTP ${upload.status}` }])[0].message);
    const data = await graphql(IMPORT_START, { input: { fileId: stored.id,
      entity: $("import-entity").value, mode: $("import-mode").value,
      dryRun: $("import-dry-run").checked } });
    const { job, userErrors } = data.importStart;
    if (userErrors.length) throw new Error(userErrors.map((e) => e.message).join("; "));
    showJob({ status: job.status, progress: { total: null, processed: 0, created: 0, updated: 0, failed: 0 } });
    showError("");
    watchJob(job.id);
  } catch (error) {
    showError(`Import failed: ${error.message}`);
  } finally {
    $("import-start").disabled = false;
  }
}

// --- duplicate review -----------------------------------------------------------------

const DUPLICATES = `query ConsoleDuplicates {
  duplicateCandidates(first: 20, filter: { status: OPEN }) {
    nodes { id score band reasons { field method score }
            customerA { id code legalName } customerB { id code legalName } }
  }
}`;

const DISMISS = `mutation ConsoleDismiss($id: ID!) {
  duplicateCandidateResolve(id: $id, resolution: DISMISS) { userErrors { message } }
}`;

async function loadDuplicates() {
  try {
    const data = await graphql(DUPLICATES);
    fill($("duplicates"), data.duplicateCandidates.nodes, (pair) => {
      const dismiss = element("button", "Dismiss", { type: "button" });
      dismiss.addEventListener("click", () => dismissPair(pair.id, dismiss));
      const reasons = pair.reasons.map((r) => `${r.field} ${r.method} ${r.score.toFixed(2)}`);
      return [element("strong", `${pair.customerA.legalName} ↔ ${pair.customerB.legalName}`),
        element("small", `${pair.band} ${pair.score.toFixed(2)}: ${reasons.join(", ")}`), dismiss];
    });
    showError("");
  } catch (error) {
    showError(`Could not load the duplicates: ${error.message}`);
  }
}

async function dismissPair(id, button) {
  button.disabled = true;
  try {
    const data = await graphql(DISMISS, { id });
    const problems = data.duplicateCandidateResolve.userErrors;
    if (problems.length) throw new Error(problems.map((e) => e.message).join("; "));
    button.closest("li").remove();
  } catch (error) {
    button.disabled = false;
    showError(`Could not dismiss: ${error.message}`);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("key-form").addEventListener("submit", useKey);
  $("search").addEventListener("input", onSearchInput);
  $("import-form").addEventListener("submit", startImport);
  $("duplicates-load").addEventListener("click", loadDuplicates);
  useKey();
});
