// The home page's "Import a board": upload a backup file (multipart, with the form's CSRF
// token) and open the new board as its facilitator, or say why the file was refused.

const form = document.getElementById("import-board");
const input = document.getElementById("import-file");
const label = document.getElementById("import-file-label");
const status = document.getElementById("import-status");
const errorBox = document.getElementById("import-error");

async function importFile(file) {
  errorBox.hidden = true;
  status.textContent = `Importing ${file.name}…`;
  label.setAttribute("aria-busy", "true");
  const body = new FormData(form);
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": body.get("csrfmiddlewaretoken") || "" },
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error?.message || `The server answered ${response.status}.`);
    status.textContent = "Imported. Opening the board…";
    window.location.assign(data.facilitator_url || data.url);
  } catch (err) {
    status.textContent = "";
    errorBox.textContent = `Could not import ${file.name}: ${err.message}`;
    errorBox.hidden = false;
    label.removeAttribute("aria-busy");
    input.value = ""; // choosing the same file again, once fixed, imports it
  }
}

input.addEventListener("change", () => {
  if (input.files.length) importFile(input.files[0]);
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (input.files.length) importFile(input.files[0]);
});
