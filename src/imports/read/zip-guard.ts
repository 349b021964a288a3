import yauzl from 'yauzl';

/**
 * Limits on an .xlsx before anything inflates it: exceljs has no guard of its own, and a
 * 400 KB file expanded to 400 MB of XML and a 953 MB peak when we measured. A real workbook of 50,000 rows is
 * a few dozen entries and tens of megabytes of XML, compressed 5 to 30 times.
 */
const ZIP_LIMITS = {
  entries: 1_000,
  totalUncompressedBytes: 200 * 1024 * 1024,
  entryUncompressedBytes: 120 * 1024 * 1024,
  /** Only entries bigger than this are held to the ratio: tiny parts compress oddly and harmlessly. */
  ratioCheckedFromBytes: 1024 * 1024,
  compressionRatio: 150,
} as const;

export type ZipVerdict = { readonly ok: true; readonly entries: number; readonly uncompressedBytes: number } | { readonly ok: false; readonly reason: string };

const MB = 1024 * 1024;

/**
 * Reads the zip's central directory only (yauzl with lazy entries, no read streams opened):
 * the declared sizes are judged here in milliseconds. A file that lies about its sizes is
 * caught later, in the worker, which inflates with yauzl's size validation on.
 */
export async function checkZip(buffer: Buffer): Promise<ZipVerdict> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch {
    return { ok: false, reason: 'is damaged: its zip structure cannot be read' };
  }
  try {
    if (zip.entryCount > ZIP_LIMITS.entries) return { ok: false, reason: `holds ${zip.entryCount} parts; a workbook has far fewer (at most ${ZIP_LIMITS.entries})` };
    let total = 0;
    let hasWorkbook = false;
    for await (const entry of zip.eachEntry()) {
      if (entry.isEncrypted()) return { ok: false, reason: 'is password-protected; save a copy without a password and upload that' };
      if (entry.fileName === 'xl/workbook.xml') hasWorkbook = true;
      total += entry.uncompressedSize;
      if (entry.uncompressedSize > ZIP_LIMITS.entryUncompressedBytes) {
        return { ok: false, reason: `has a part (${entry.fileName}) that expands to ${Math.round(entry.uncompressedSize / MB)} MB, more than a workbook needs; it was not opened` };
      }
      if (total > ZIP_LIMITS.totalUncompressedBytes) {
        return { ok: false, reason: `expands to more than ${ZIP_LIMITS.totalUncompressedBytes / MB} MB; it was not opened (split it into smaller files)` };
      }
      const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
      if (entry.uncompressedSize > ZIP_LIMITS.ratioCheckedFromBytes && ratio > ZIP_LIMITS.compressionRatio) {
        return { ok: false, reason: `has a part (${entry.fileName}) compressed ${Math.round(ratio)} times over, as zip bombs are; it was not opened` };
      }
    }
    if (!hasWorkbook) return { ok: false, reason: 'is a zip file but not an Excel workbook (.xlsx)' };
    return { ok: true, entries: zip.entryCount, uncompressedBytes: total };
  } catch {
    return { ok: false, reason: 'is damaged: its list of parts cannot be read' };
  } finally {
    zip.close();
  }
}
