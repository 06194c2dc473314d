/**
 * TLS material for the ACS connection, read once at start: the CA file, every PEM
 * file of the CA directory (icwmp's ssl_capath), the client certificate and key.
 *
 * @module
 */

import type { AcsConfig } from "../config/mod.ts";

/** What the transport takes. */
export interface TlsMaterial {
  caCerts?: string[];
  clientCert?: string;
  clientKey?: string;
}

/** Reads the configured TLS files; a missing file is an error naming it. */
export async function readTls(acs: AcsConfig): Promise<TlsMaterial> {
  const read = async (path: string, what: string) => {
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new Error(`Cannot read ${what} "${path}": ${(error as Error).message}`);
    }
  };
  const caCerts: string[] = [];
  if (acs.caFile) caCerts.push(await read(acs.caFile, "CA file"));
  if (acs.caDir) {
    try {
      for await (const entry of Deno.readDir(acs.caDir)) {
        if (entry.isFile && /\.(pem|crt)$/i.test(entry.name)) {
          caCerts.push(await read(`${acs.caDir}/${entry.name}`, "CA certificate"));
        }
      }
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("Cannot read")) throw error;
      throw new Error(`Cannot read CA directory "${acs.caDir}": ${(error as Error).message}`);
    }
  }
  return {
    caCerts: caCerts.length > 0 ? caCerts : undefined,
    clientCert: acs.clientCert ? await read(acs.clientCert, "client certificate") : undefined,
    clientKey: acs.clientKey ? await read(acs.clientKey, "client key") : undefined,
  };
}
