import { statusText } from './format.js';

const status = document.getElementById('status');

fetch('/api/hello')
  .then(res => (res.ok ? res.json() : Promise.reject(new Error(`HTTP ${res.status}`))))
  .then(body => {
    status.textContent = statusText(body);
  })
  .catch(err => {
    status.textContent = statusText(err);
  });
