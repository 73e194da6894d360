// The content script: a classic script (Manifest V3 content scripts cannot be modules),
// so it imports the extension's module with a dynamic import of its own file. Nothing
// runs unless a preset of the options matches the page (see triage.mjs).
(async () => {
  try {
    const { start } = await import(chrome.runtime.getURL('triage.mjs'));
    await start();
  } catch (err) {
    console.error('verdict triage:', err);
  }
})();
