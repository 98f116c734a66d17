/**
 * `npm run render-document -- --input doc.json --out doc.pdf [--copy]` renders one billing
 * document from JSON (the DocumentRenderInput shape of src-main/pdf/document-input.ts, business
 * details included) without a database. `--example [type]` prints a complete example input
 * (tax_invoice | receipt | tax_invoice_receipt | credit_note | proposal); `--copy` prints the
 * "העתק" mark instead of "מקור". Exit 1 with the field errors on a bad input.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { ZodError } from 'zod';
import { DOCUMENT_TYPES, type DocumentType } from '../src-main/pdf/document-input';
import { exampleInput } from '../src-main/pdf/example';
import { renderDocumentPdf } from '../src-main/pdf/document';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--example')) {
    const t = (arg('--example') ?? 'tax_invoice') as DocumentType;
    if (!DOCUMENT_TYPES.includes(t)) {
      console.error(`unknown type ${t}; one of ${DOCUMENT_TYPES.join(', ')}`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(exampleInput(t), null, 2)}\n`);
    return 0;
  }
  const inFile = arg('--input');
  const outFile = arg('--out');
  if (!inFile || !outFile) {
    console.error(
      'usage: npm run render-document -- --input doc.json --out doc.pdf [--copy] | --example [type]',
    );
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(inFile, 'utf8'));
  } catch (err) {
    console.error(`cannot read ${inFile}: ${(err as Error).message}`);
    return 1;
  }
  try {
    const pdf = await renderDocumentPdf(json as never, {
      copy: argv.includes('--copy') ? 'copy' : 'original',
    });
    writeFileSync(outFile, pdf);
    console.log(`${outFile}: ${pdf.length} bytes`);
    return 0;
  } catch (err) {
    if (err instanceof ZodError) {
      for (const issue of err.issues) console.error(`${issue.path.join('.') || '(input)'}: ${issue.message}`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
