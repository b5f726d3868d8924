import type { ObjectPreview } from '../../src/views.js';
import { JsonView, Loading, Problem, Section } from '../components/common.js';
import { useResource } from '../hooks.js';
import { parseCsv } from '../csv.js';
import { href } from '../router.js';

/** An S3 object's first bytes: CSV as a table, JSON folded, text as it is; a prefix as its objects. */
export function ObjectPage({ uri }: { uri: string }) {
  const view = useResource<ObjectPreview>('object', { uri }, () => false);
  return (
    <>
      <p class="crumbs">
        <button class="link" onClick={() => history.back()}>
          Back
        </button>{' '}
        / S3
      </p>
      <h1 class="uri">{uri}</h1>
      {view.error ? <Problem error={view.error} /> : null}
      {!view.data ? view.error ? null : <Loading /> : <Preview preview={view.data} />}
    </>
  );
}

function Preview({ preview }: { preview: ObjectPreview }) {
  const about = `${preview.size !== undefined ? `${preview.size} bytes` : ''}${preview.contentType ? ` · ${preview.contentType}` : ''}${preview.truncated ? ' · showing the beginning' : ''}`;
  if (preview.kind === 'listing') {
    return (
      <Section title="Objects under this prefix">
        <ul class="links" data-testid="object-listing">
          {(preview.objects ?? []).map((object) => (
            <li key={object.uri}>
              <a href={href(['object'], { uri: object.uri })}>{object.uri}</a>{' '}
              <span class="muted">{object.size !== undefined ? `${object.size} bytes` : ''}</span>
            </li>
          ))}
        </ul>
        {preview.truncated ? <p class="muted">More objects are not listed.</p> : null}
      </Section>
    );
  }
  if (preview.kind === 'binary') {
    return (
      <Section title="Binary object">
        <p class="muted">{about}: not shown.</p>
      </Section>
    );
  }
  if (preview.kind === 'csv') {
    const rows = parseCsv(preview.text ?? '', 200);
    return (
      <Section title="CSV">
        <p class="muted">{about}</p>
        <div class="scroll-x">
          <table class="table" data-testid="csv-preview">
            <thead>
              <tr>
                {(rows[0] ?? []).map((cell, index) => (
                  <th key={index}>{cell}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.slice(1).map((row, index) => (
                <tr key={index}>
                  {row.map((cell, column) => (
                    <td key={column}>{cell}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
    );
  }
  if (preview.kind === 'json') {
    let parsed: unknown;
    let ok = true;
    try {
      parsed = JSON.parse(preview.text ?? '');
    } catch {
      ok = false;
    }
    return (
      <Section title="JSON">
        <p class="muted">{about}</p>
        {ok ? <JsonView value={parsed} open={3} /> : <pre class="log">{preview.text}</pre>}
      </Section>
    );
  }
  return (
    <Section title="Text">
      <p class="muted">{about}</p>
      <pre class="log">{preview.text}</pre>
    </Section>
  );
}
