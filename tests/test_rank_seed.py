"""A small graph in the shapes of the graph contract, with hand-computable rankings.

tech:a, window 2020–2022 (fractional credit per paper; * = top-10% of its year):
  w1 2020 cites 10 US 1.0 *     w2 2020 cites 5 US .5 JP .5     w3 2020 cites 0 CN 1.0
  w4 2022 cites 3  CN 1.0       w5 2022 cites 8 JP 1.0 *
  w6 2021 cites 1  US 1.0 (not about tech:a: only in the RCA baseline)
  fractional: CN 2, US 1.5, JP 1.5 of 5 → .4 / .3 / .3; HHI .34; full: 2 each of 5 docs → .4
  top-10%: US .5, JP .5; h-index US 2, JP 2, CN 1
  RCA (baseline US 2.5, JP 1.5, CN 2 of 6): US .72, JP 1.2, CN 1.2
  patents: family F1 = p1, p2 (US), family F2 = p3 (CN .5, JP .5) → US .5, CN .25, JP .25
tech:b: 20 papers in 2021, 18 US and 2 GB: a clear, uncontested US lead.
"""

from __future__ import annotations

from graph.store import Store

SEED = """
UNWIND [['US','United States','アメリカ合衆国'],['JP','Japan','日本'],['CN','China','中国'],['GB','United Kingdom','英国']] AS c
MERGE (:Country {code: c[0], name: c[1], name_ja: c[2]});
UNWIND [['ror:us1','MIT','US'],['ror:jp1','University of Tokyo','JP'],['ror:cn1','Tsinghua University','CN'],
        ['ror:gb1','Oxford','GB']] AS o
MATCH (c:Country {code: o[2]})
MERGE (n:Organization {key: o[0]}) SET n.name = o[1], n.country = o[2] MERGE (n)-[:LOCATED_IN]->(c);
MERGE (a:Technology {key: 'tech:a'}) SET a.name = 'Quantum sensing', a.name_ja = '量子センシング', a.version = 't1', a.domain = 'quantum'
MERGE (b:Technology {key: 'tech:b'}) SET b.name = 'Gallium nitride power devices', b.name_ja = '窒化ガリウム', b.version = 't1'
MERGE (l1:ListItem {key: 'jp_specified_critical_tech:1'}) SET l1.list = 'jp_specified_critical_tech', l1.name = 'Quantum', l1.verified = true
MERGE (l2:ListItem {key: 'us_cet_2024:q'}) SET l2.list = 'us_cet_2024', l2.name = 'Quantum information', l2.verified = true
MERGE (a)-[:IN_LIST {verified: true}]->(l1) MERGE (a)-[:IN_LIST {verified: true}]->(l2) MERGE (b)-[:IN_LIST {verified: true}]->(l2)
MERGE (m:Material {key: 'Ga'}) SET m.name = 'Gallium', m.symbol = 'Ga'
MERGE (g:Material {key: 'graphite'}) SET g.name = 'Graphite'
MERGE (a)-[:DEPENDS_ON {basis: 'test'}]->(m) MERGE (a)-[:DEPENDS_ON {basis: 'test'}]->(g) MERGE (b)-[:DEPENDS_ON {basis: 'test'}]->(m)
MERGE (pd:PolicyDocument {key: 'policy:mofcom-2023-46'}) SET pd.title = 'Export control on gallium', pd.country = 'CN', pd.language = 'en'
MERGE (pd2:PolicyDocument {key: 'policy:cao-quantum'}) SET pd2.title = '量子未来社会ビジョン', pd2.country = 'JP', pd2.language = 'ja'
MERGE (pd2)-[:MENTIONS {count: 4, offsets: [1, 2, 3, 4]}]->(a)
MERGE (x:ExportControl {key: 'ec:cn-ga-2023'}) SET x.measure = 'licence requirement', x.announced = date('2023-07-03'), x.effective = date('2023-08-01'), x.status = 'in force'
WITH x, m, pd
MATCH (cn:Country {code: 'CN'})
MERGE (x)-[:BY]->(cn) MERGE (x)-[:CONTROLS]->(m) MERGE (x)-[:STATED_IN]->(pd);
UNWIND [
  ['doi:10.1/w1', '10.1/w1', 'W1', 2020, 10, [['US', 1.0, 'ror:us1']], true],
  ['doi:10.1/w2', '10.1/w2', 'W2', 2020, 5, [['US', 0.5, 'ror:us1'], ['JP', 0.5, 'ror:jp1']], true],
  ['openalex:W3', null, 'W3', 2020, 0, [['CN', 1.0, 'ror:cn1']], true],
  ['doi:10.1/w4', '10.1/w4', 'W4', 2022, 3, [['CN', 1.0, 'ror:cn1']], true],
  ['doi:10.1/w5', '10.1/w5', 'W5', 2022, 8, [['JP', 1.0, 'ror:jp1']], true],
  ['doi:10.1/w6', '10.1/w6', 'W6', 2021, 1, [['US', 1.0, 'ror:us1']], false]
] AS r
MERGE (w:Work {key: r[0]}) SET w.doi = r[1], w.openalex_id = r[2], w.year = r[3], w.cited_by_count = r[4],
  w.title = 'Paper ' + r[2]
WITH w, r
CALL (w, r) { UNWIND range(0, size(r[5]) - 1) AS i
  MATCH (c:Country {code: r[5][i][0]}), (o:Organization {key: r[5][i][2]})
  MERGE (w)-[e:IN_COUNTRY {position: i}]->(c) SET e.fraction = r[5][i][1]
  MERGE (w)-[f:AFFILIATION {position: i}]->(o) SET f.fraction = r[5][i][1] }
WITH w, r WHERE r[6]
MATCH (t:Technology {key: 'tech:a'}) MERGE (w)-[:ABOUT {score: 0.9, method: 'test'}]->(t);
UNWIND range(1, 20) AS i
MATCH (t:Technology {key: 'tech:b'}), (us:Country {code: 'US'}), (gb:Country {code: 'GB'}),
      (ous:Organization {key: 'ror:us1'}), (ogb:Organization {key: 'ror:gb1'})
WITH t, i, CASE WHEN i <= 18 THEN us ELSE gb END AS c, CASE WHEN i <= 18 THEN ous ELSE ogb END AS o
MERGE (w:Work {key: 'doi:10.2/b' + i}) SET w.doi = '10.2/b' + i, w.year = 2021, w.cited_by_count = i
MERGE (w)-[e:IN_COUNTRY {position: 0}]->(c) SET e.fraction = 1.0
MERGE (w)-[f:AFFILIATION {position: 0}]->(o) SET f.fraction = 1.0
MERGE (w)-[:ABOUT {score: 0.8, method: 'test'}]->(t);
UNWIND [['pat:US1A', 'F1', 2021, [['US', 1.0]], ['ror:us1']], ['pat:EP1A', 'F1', 2021, [['US', 1.0]], ['ror:us1']],
        ['pat:CN3A', 'F2', 2022, [['CN', 0.5], ['JP', 0.5]], ['ror:cn1', 'ror:jp1']]] AS r
MERGE (p:Patent {key: r[0]}) SET p.year = r[2], p.family_id = r[1], p.title = 'Patent ' + r[0]
MERGE (f:Family {key: 'fam:' + r[1]}) MERGE (p)-[:IN_FAMILY]->(f)
WITH p, r
CALL (p, r) { UNWIND r[3] AS cc MATCH (c:Country {code: cc[0]})
  MERGE (p)-[e:IN_COUNTRY {role: 'applicant'}]->(c) SET e.fraction = cc[1] }
CALL (p, r) { UNWIND r[4] AS ok MATCH (o:Organization {key: ok})
  MERGE (p)-[e:ASSIGNED_TO]->(o) SET e.fraction = 1.0 / size(r[4]) }
MATCH (t:Technology {key: 'tech:a'}) MERGE (p)-[:ABOUT {score: 0.7, method: 'test'}]->(t);
MERGE (k:Cluster {key: 'cluster:1'}) SET k.label = 'NV-centre magnetometry', k.emergence = 0.8, k.growth = 0.5, k.size = 2
WITH k MATCH (t:Technology {key: 'tech:a'}) MERGE (k)-[:RELATED_TO {score: 0.9}]->(t)
WITH k MATCH (w:Work) WHERE w.key IN ['doi:10.1/w1', 'doi:10.1/w5'] MERGE (w)-[:IN_CLUSTER]->(k);
MERGE (r:IngestRun {key: 'run:seed'}) SET r.finished = datetime('2026-01-02T03:04:05Z'), r.status = 'done'
"""


def seed(store: Store) -> None:
    for stmt in SEED.split(";\n"):
        if stmt.strip():
            store.write(stmt)
