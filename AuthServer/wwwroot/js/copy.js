// Copy buttons for secrets shown once. Without JavaScript the secret stays selectable in its field.
document.querySelectorAll('[data-copy-target]').forEach(button => {
    button.hidden = false;
    button.addEventListener('click', async () => {
        const field = document.getElementById(button.dataset.copyTarget);
        await navigator.clipboard.writeText(field.value);
        button.textContent = 'Copied';
    });
});
