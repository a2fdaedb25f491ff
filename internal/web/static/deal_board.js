// Drag and drop on the deal pipeline: dropping a card on another column
// submits the card's own move form with that column's stage, exactly as
// choosing the stage and pressing Move does (the board works without this
// file). A column the stage machine does not allow is still a drop target:
// the server refuses the move and the board says why.
(function () {
  "use strict";
  var dragged = null;
  document.querySelectorAll(".deal-card[draggable]").forEach(function (card) {
    card.addEventListener("dragstart", function (e) {
      dragged = card;
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.dataset.id);
    });
    card.addEventListener("dragend", function () { dragged = null; });
  });
  function target(column) {
    if (!dragged || dragged.dataset.stage === column.dataset.stage) { return null; }
    return dragged.querySelector('form.move select[name="to"]');
  }
  document.querySelectorAll("#deal-board .board-column").forEach(function (column) {
    column.addEventListener("dragover", function (e) {
      if (target(column)) {
        e.preventDefault();
        column.classList.add("drop-target");
      }
    });
    column.addEventListener("dragleave", function () { column.classList.remove("drop-target"); });
    column.addEventListener("drop", function (e) {
      var select = target(column);
      column.classList.remove("drop-target");
      if (!select) { return; }
      e.preventDefault();
      var stage = column.dataset.stage;
      if (!select.querySelector('option[value="' + stage + '"]')) {
        var option = document.createElement("option");
        option.value = stage;
        option.textContent = stage;
        select.appendChild(option);
      }
      select.value = stage;
      select.form.requestSubmit();
    });
  });
})();
