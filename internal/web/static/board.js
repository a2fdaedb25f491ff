// Drag and drop on the stage board: dropping a card on a column submits the
// card's own move form with that column's stage, exactly as choosing the
// stage and pressing Move does (the board works without this file).
(function () {
  "use strict";
  var dragged = null;
  document.querySelectorAll(".client-card[draggable]").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.id);
    });
    card.addEventListener("dragend", function () { dragged = null; });
  });
  function allowed(column) {
    if (!dragged) { return null; }
    var option = dragged.querySelector('select[name="stage"] option[value="' + column.dataset.stage + '"]');
    return option ? option.parentElement : null;
  }
  document.querySelectorAll(".board-column").forEach(function (column) {
    column.addEventListener("dragover", function (e) {
      if (allowed(column)) {
        e.preventDefault();
        column.classList.add("drop-target");
      }
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (e) {
      var select = allowed(column);
      column.classList.remove("drop-target");
      if (!select) { return; }
      e.preventDefault();
      select.value = column.dataset.stage;
      select.form.requestSubmit();
    });
  });
})();
