/* The periodic task form of django_celery_beat: shows the chosen crontab in words under the
   field. Moved from the package's inline script, which the Content-Security-Policy blocks. */
(function ($) {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var help = document.getElementById("crontab-help-text");
  if (!data || !help) {
    return;
  }
  var readableCrontabs = JSON.parse(data.textContent);
  var originalHelp = JSON.parse(help.textContent);
  $(function () {
    $(".field-crontab_translation").hide();
    $(".field-crontab").change(function () {
      var helpBox = $(".field-crontab .help");
      helpBox.text(originalHelp + " ");
      helpBox.append($("<br>"), document.createTextNode("Translation: " + (readableCrontabs[$("#id_crontab").val()] || "")));
    });
  });
})(django.jQuery);
