import { describe, expect, it } from 'vitest';
import {
  CACHE_ARTIFACT_TYPE,
  EMPTY_CONFIG_DESCRIPTOR,
  LAYER_MEDIA_TYPE,
  MAX_ENTRIES,
  mergeEntries,
  NotACacheError,
  parseCacheManifest,
  serializeCacheManifest,
  type CacheEntry,
} from './cache-manifest.js';

const hex = (n: number) => n.toString(16).padStart(64, '0');
const entry = (n: number, parent: number | null = null): CacheEntry => ({
  id: hex(n),
  parent: parent === null ? null : hex(parent),
  kind: 'setup',
  contentDigest: `sha256:${hex(n + 1000)}`,
  blob: { digest: `sha256:${hex(n + 2000)}`, size: 100 + n },
});

describe('the registry cache manifest', () => {
  it('round-trips entries and timings as an OCI 1.1 artifact with the empty config', () => {
    const index = { entries: [entry(1), entry(2, 1)], timings: { digest: `sha256:${hex(9)}`, size: 42 } };
    const bytes = serializeCacheManifest(index, new Date('2026-12-08T00:00:00Z'));
    const json = JSON.parse(bytes.toString());
    expect(json.artifactType).toBe(CACHE_ARTIFACT_TYPE);
    expect(json.config).toEqual(EMPTY_CONFIG_DESCRIPTOR);
    expect(EMPTY_CONFIG_DESCRIPTOR.digest).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(parseCacheManifest(bytes)).toEqual({ index, dropped: 0 });
  });

  it('refuses what is not a cubicle cache, naming why', () => {
    expect(() => parseCacheManifest(Buffer.from('not json'))).toThrow(NotACacheError);
    const image = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', layers: [] };
    expect(() => parseCacheManifest(Buffer.from(JSON.stringify(image)))).toThrow(/not a cubicle cache \(artifactType null/);
    const tooMany = { schemaVersion: 2, artifactType: CACHE_ARTIFACT_TYPE, layers: Array.from({ length: MAX_ENTRIES + 2 }, () => ({})) };
    expect(() => parseCacheManifest(Buffer.from(JSON.stringify(tooMany)))).toThrow(/malformed/);
  });

  it('leaves out hostile entries: bad ids, a parent that is a path, foreign media types, and keeps the first of a duplicate id', () => {
    const good = JSON.parse(serializeCacheManifest({ entries: [entry(1)], timings: undefined }).toString());
    const base = good.layers[0];
    good.layers.push(
      { ...base, annotations: { ...base.annotations, 'dev.cubicle.layer.id': '../../etc' } },
      { ...base, annotations: { ...base.annotations, 'dev.cubicle.layer.id': hex(5), 'dev.cubicle.layer.parent': '/home/you' } },
      { ...base, mediaType: 'application/vnd.oci.image.layer.v1.tar', annotations: { ...base.annotations, 'dev.cubicle.layer.id': hex(6) } },
      { ...base, annotations: { ...base.annotations, 'dev.cubicle.layer.kind': 'other', 'dev.cubicle.layer.id': hex(7) } },
      { ...base, digest: `sha256:${hex(77)}` },
    );
    const { index, dropped } = parseCacheManifest(Buffer.from(JSON.stringify(good)));
    expect(index.entries).toEqual([entry(1)]);
    expect(dropped).toBe(4);
    expect(good.layers[0].mediaType).toBe(LAYER_MEDIA_TYPE);
  });

  it('merges: the newer entry wins an id, the oldest go past the cap', () => {
    const merged = mergeEntries([entry(1), entry(2, 1)], [{ ...entry(2, 1), blob: { digest: `sha256:${hex(3)}`, size: 1 } }, entry(4)]);
    expect(merged.map((e) => e.id)).toEqual([hex(1), hex(2), hex(4)]);
    expect(merged[1]?.blob.size).toBe(1);
    const many = Array.from({ length: MAX_ENTRIES }, (_, i) => entry(i + 10));
    const capped = mergeEntries(many, [entry(5)]);
    expect(capped).toHaveLength(MAX_ENTRIES);
    expect(capped[0]?.id).toBe(hex(11));
    expect(capped.at(-1)?.id).toBe(hex(5));
  });
});
