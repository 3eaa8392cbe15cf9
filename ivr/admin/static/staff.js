// A little help for the staff pages; every page works without it.
// Forms with data-confirm ask before they change something, and no form is sent twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
});

// A refused form opens at the form (the address ends in its #id, so the reason is in view);
// browsers skip autofocus then, so the field the reason is about gets the focus here.
window.addEventListener("load", function () {
  var field = document.querySelector("[aria-invalid=true][autofocus]");
  if (field && document.activeElement !== field) {
    field.focus({ preventScroll: true });
  }
});

// A button with data-copy copies the text of the field it names (a set-password link) and
// says so; without the clipboard the text is selected, to copy by hand.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) {
    return;
  }
  var field = document.getElementById(button.getAttribute("data-copy"));
  var status = document.getElementById("copy-status");
  field.select();
  function done() {
    if (status) {
      status.textContent = button.getAttribute("data-copied");
    }
  }
  function byHand() {
    if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  }
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, byHand);
  } else {
    byHand();
  }
});
