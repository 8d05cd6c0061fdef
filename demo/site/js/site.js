// Shows whether this page is being served by the service worker from the local copy.
const status = document.getElementById('status');
if (navigator.serviceWorker && navigator.serviceWorker.controller) {
  status.textContent = 'This page was served from the copy in your browser, verified against the publisher\u2019s signature.';
} else {
  status.textContent = 'This page is loading through the p2p engine.';
}
