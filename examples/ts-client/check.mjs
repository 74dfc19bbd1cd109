// Drives `atlassian-mcp serve --sandbox` over stdio with the official MCP
// TypeScript SDK: lists the tools and runs the product use cases (triage a
// bug, sprint search, transition and log work, find and read a policy page,
// create meeting notes). Usage: npm install && node check.mjs PATH-TO-BINARY
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const bin = process.argv[2];
const transport = new StdioClientTransport({ command: bin, args: ["serve", "--sandbox", "--log-level", "warn"] });
const client = new Client({ name: "ts-check", version: "1.0.0" });
await client.connect(transport);
const { tools } = await client.listTools();
console.log("tools:", tools.map(t => t.name).join(", "));
const calls = [
  ["atlassian_jira_create_issue", { projectKey: "ENG", issueType: "Bug", summary: "Checkout fails for EU customers", description: "From email: **checkout** fails.", priority: "High", assignee: "Priya Raman" }],
  ["atlassian_jira_search", { jql: "project = ENG AND sprint in openSprints()", maxResults: 3 }],
  ["atlassian_jira_update_issue", { issueKey: "ENG-4", action: "transition", transitionName: "In Progress", transitionComment: "Picked up." }],
  ["atlassian_jira_manage_issue", { issueKey: "ENG-4", action: "add_worklog", timeSpent: "1h 30m" }],
  ["atlassian_confluence_search", { cql: "type = page AND title ~ \"policy\"", limit: 3 }],
  ["atlassian_confluence_get_page", { pageId: "98334" }],
  ["atlassian_confluence_create_page", { spaceKey: "TEAM", title: "Meeting notes 2026-11-29", content: "## Decisions\n- [ ] follow up", parentPageId: "98329", labels: ["meeting-notes"] }],
];
for (const [name, args] of calls) {
  const res = await client.callTool({ name, arguments: args });
  const text = res.content.map(c => c.text).join("\n");
  console.log(`--- ${name} isError=${!!res.isError} structured=${res.structuredContent ? "yes" : "no"}\n${text.split("\n").slice(0, 3).join("\n")}`);
}
await client.close();
