/*
 * Our own content checks for Wagtail's content checker (Axe), in the userbar and in the
 * editor's Checks panel. Wagtail loads this with the userbar, after its own script and before
 * Axe starts; the rules and their options (phrases, patterns) come from publishing/editor/userbar.py.
 * No build step: plain browser JavaScript.
 */
(function () {
  'use strict';

  // Lower-case words joined by single spaces: "Les mer »" and "les  mer." both become "les mer".
  function normalise(text) {
    return ((text || '').toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []).join(' ');
  }

  /** Passes unless the link's text is only a vague phrase such as "les mer" or "klicka här". */
  function vagueLinkText(node, options) {
    var label = node.getAttribute('aria-label') || node.textContent;
    var words = normalise(label);
    if (!words) return true; // an empty link is Axe's link-name rule's business
    return (options.phrases || []).indexOf(words) === -1;
  }

  function fileStem(src) {
    var path = (src || '').split(/[?#]/)[0];
    var name = path.substring(path.lastIndexOf('/') + 1);
    try {
      name = decodeURIComponent(name);
    } catch (error) {
      // keep the raw name
    }
    // Wagtail's renditions add ".<hash>.<filter>.<ext>" to the original name's stem.
    return name.split('.')[0].toLowerCase();
  }

  /** Passes unless the alt text is a file or camera name, the image's own file name, or a word
   *  such as "bilde" that names the kind of thing instead of describing it. */
  function altNotFileName(node, options) {
    var alt = (node.getAttribute('alt') || '').trim();
    if (!alt) return true; // decorative images have an empty alt on purpose
    if (options.pattern && new RegExp(options.pattern, 'iu').test(alt)) return false;
    if ((options.generic || []).indexOf(normalise(alt)) !== -1) return false;
    var stem = fileStem(node.getAttribute('src'));
    return !(stem && alt.toLowerCase() === stem);
  }

  var userbar = window.wagtail && window.wagtail.userbar;
  if (!userbar || typeof userbar.registerCheck !== 'function') return;
  userbar.registerCheck('check-vague-link-text', vagueLinkText);
  userbar.registerCheck('check-alt-not-file-name', altNotFileName);
})();
