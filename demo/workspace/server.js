// A stand-in for a project-local MCP server. The demo edits this file to show that the pin covers it.
console.error('demo server: nothing to serve');
