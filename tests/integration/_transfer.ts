/**
 * Shared pieces of the end-to-end transfer tests: GenieACS 1.2.16's own Download bytes and
 * the 53-byte file it announces.
 *
 * @module
 */

import { sharedDir } from "../_helpers/validate_envelope.ts";

/** Content-Type of a raw SOAP answer from the test ACS. */
export const TEXT_XML = { "content-type": 'text/xml; charset="utf-8"' };

/** The firmware file the capture announces (FileSize 53). */
export const FILE = new TextEncoder().encode(
  "firmware image 1.2.3 -- fifty-three bytes of payload!",
);

/** GenieACS's Download (026-acs-cpe-download.xml), pointed at `url`. */
export async function genieAcsDownload(url: string): Promise<string> {
  const xml = await Deno.readTextFile(
    `${sharedDir()}/testdata/genieacs-1.2.16/026-acs-cpe-download.xml`,
  );
  return xml.replace("http://127.0.0.1:27568/fw-1.2.3.bin", url);
}
