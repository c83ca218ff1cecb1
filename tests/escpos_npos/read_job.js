// Reads one ESC/POS job on standard input with npos (an ESC/POS parser that is not SG-POS's
// own) and prints what it found as JSON: each command by name, each text run decoded the way
// npos's textualize decodes text (GB18030, of which ASCII is a subset), each raster picture's
// size. npos refuses a byte stream with a command it does not know ("error").
"use strict";

const Parser = require("npos/lib/parser");
const iconv = require("iconv-lite");

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const raw = Buffer.concat(chunks);
  const ast = new Parser().analyze(raw);
  if (ast.error) {
    process.stdout.write(JSON.stringify({ error: String(ast.error.message) }));
    return;
  }
  const nodes = ast.tree.map((node) => {
    const bytes = raw.slice(node.offset, node.offset + node.length);
    if (node.ascii === "STX") {
      return { command: "TEXT", text: iconv.decode(bytes, "GB18030") };
    }
    const out = { command: `${node.ascii} ${node.fn || ""}`.trim() };
    if (node.ascii === "GS" && node.fn === "v0") {
      out.width_bytes = bytes.readUInt16LE(4);
      out.height = bytes.readUInt16LE(6);
    }
    return out;
  });
  process.stdout.write(JSON.stringify({ nodes }));
});
