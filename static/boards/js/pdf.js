// A PDF of pictures, one a page (the board, then each bounded context), written by hand: a PDF
// that shows JPEG images needs no library, only objects, their byte offsets and a trailer.
// Over each picture lies its text, invisible (text render mode 3), where each sticky and frame
// is: a reader can search, select and copy it, the way scanned pages are made searchable.
// Pure: pages in, bytes out.

const PAGE = { w: 842, h: 595 }; // A4 landscape, in points
const MARGIN = 28;
const TITLE = 16;

// Text for a PDF string in Helvetica: Latin-1 only, the delimiters escaped.
function pdfText(text) {
  return [...(text || "")]
    .map((c) => (c.codePointAt(0) > 255 ? "?" : c))
    .join("")
    .replace(/[\\()]/g, (c) => `\\${c}`)
    .replace(/[\r\n]+/g, " ");
}

function latin1(text) {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

// One invisible line of text over a rectangle of the picture, squeezed to the rectangle's width.
function textLayer(texts, toPage) {
  let out = "";
  for (const t of texts || []) {
    const text = pdfText(t.text).trim();
    if (!text) continue;
    const r = toPage(t);
    const size = Math.max(1, Math.min(12, r.h * 0.3));
    // Helvetica averages about half an em a character.
    const squeeze = Math.max(1, Math.min(100, (100 * r.w) / (0.5 * size * text.length)));
    out += `BT 3 Tr /F1 ${size.toFixed(2)} Tf ${squeeze.toFixed(1)} Tz ${r.x.toFixed(2)} ${(r.y - size).toFixed(2)} Td (${text}) Tj ET\n`;
  }
  return out;
}

// pages: [{title, jpeg: Uint8Array, width, height, texts}] (the image's size in pixels; texts:
// [{x, y, w, h, text}] in the image's pixels, from its top left corner).
export function pdfFromJpegs(pages) {
  const chunks = [];
  const offsets = [];
  let length = 0;
  const put = (part) => {
    const bytes = typeof part === "string" ? latin1(part) : part;
    chunks.push(bytes);
    length += bytes.length;
  };
  const object = (n, dict, stream = null) => {
    offsets[n] = length;
    put(`${n} 0 obj\n${dict}\n`);
    if (stream) {
      put("stream\n");
      put(stream);
      put("\nendstream\n");
    }
    put("endobj\n");
  };

  put("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
  const first = 4; // 1 catalog, 2 pages, 3 font; then three objects a page
  const kids = pages.map((_, i) => `${first + 3 * i} 0 R`).join(" ");
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  object(2, `<< /Type /Pages /Kids [${kids}] /Count ${pages.length} >>`);
  object(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  pages.forEach((p, i) => {
    const [page, image, content] = [first + 3 * i, first + 3 * i + 1, first + 3 * i + 2];
    const room = { w: PAGE.w - 2 * MARGIN, h: PAGE.h - 2 * MARGIN - TITLE - 8 };
    const scale = Math.min(room.w / p.width, room.h / p.height);
    const w = p.width * scale;
    const h = p.height * scale;
    const x = MARGIN + (room.w - w) / 2;
    const y = MARGIN + (room.h - h) / 2;
    // From the image's pixels (top left origin) to the page's points (bottom left origin).
    const toPage = (r) => ({ x: x + r.x * scale, y: y + h - r.y * scale, w: r.w * scale, h: r.h * scale });
    const draw = latin1(
      `BT /F1 ${TITLE} Tf ${MARGIN} ${PAGE.h - MARGIN - TITLE} Td (${pdfText(p.title)}) Tj ET\n` +
      `q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} ${x.toFixed(2)} ${y.toFixed(2)} cm /Im Do Q\n` +
      textLayer(p.texts, toPage),
    );
    object(page, `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE.w} ${PAGE.h}] ` +
      `/Resources << /Font << /F1 3 0 R >> /XObject << /Im ${image} 0 R >> >> /Contents ${content} 0 R >>`);
    object(image, `<< /Type /XObject /Subtype /Image /Width ${p.width} /Height ${p.height} /ColorSpace /DeviceRGB ` +
      `/BitsPerComponent 8 /Filter /DCTDecode /Length ${p.jpeg.length} >>`, p.jpeg);
    object(content, `<< /Length ${draw.length} >>`, draw);
  });

  const count = first + 3 * pages.length;
  const xref = length;
  put(`xref\n0 ${count}\n0000000000 65535 f \n`);
  for (let n = 1; n < count; n++) put(`${String(offsets[n]).padStart(10, "0")} 00000 n \n`);
  put(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);

  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
