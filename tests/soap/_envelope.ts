/** Test-only builder of SOAP envelopes in GenieACS's prefixes. */

/** Namespace declarations GenieACS puts on the Envelope, for `ns`. */
export function declarations(ns = "urn:dslforum-org:cwmp-1-0"): string {
  return 'xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ' +
    'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' + `xmlns:cwmp="${ns}"`;
}

/** An envelope with `body` inside soap-env:Body and cwmp:ID `id` (none when undefined). */
export function envelope(body: string, options: { id?: string; ns?: string } = {}): string {
  const header = options.id === undefined
    ? ""
    : `<soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">${options.id}</cwmp:ID></soap-env:Header>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope ${
    declarations(options.ns)
  }>${header}<soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;
}
