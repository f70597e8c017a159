// Proves the browser got this file with a JavaScript content type.
document.getElementById("script").textContent = "The script ran too.";
