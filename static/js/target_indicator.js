// The pledge form's targets: once an indicator of the catalogue is chosen, its name and unit
// are the target's, so the "Other indicator" and "Unit" fields (for what the catalogue lacks)
// are hidden; choosing "Other" shows them again. Without scripts both stay visible and the
// server ignores them for a catalogue indicator (pledges.forms.TargetForm.clean).
(function () {
  "use strict";
  var selects = document.querySelectorAll('select[name$="catalogue_indicator"]');
  Array.prototype.forEach.call(selects, function (select) {
    var prefix = select.name.slice(0, -"catalogue_indicator".length);
    var others = [prefix + "indicator", prefix + "unit"].map(function (name) {
      var field = document.getElementById("div_id_" + name);
      return field;
    }).filter(Boolean);
    function fit() {
      var fromCatalogue = select.value !== "";
      others.forEach(function (field) {
        field.hidden = fromCatalogue;
      });
    }
    fit();
    select.addEventListener("change", fit);
  });
})();
