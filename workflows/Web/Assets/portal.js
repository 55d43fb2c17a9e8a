// Small enhancements only: every page works without this script.
// A form marked data-autosubmit (the people search) sends itself a moment after typing stops.
document.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-autosubmit]')) {
    const input = form.querySelector('input[type=search]');
    if (!input) continue;
    let timer;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      if (input.value.trim().length >= 2) timer = setTimeout(() => form.requestSubmit(), 400);
    });
  }
  const summary = document.querySelector('.error-summary');
  if (summary) summary.focus();
});
