-- A listing's history outlives its artifact: an artifact that was ever listed can be deleted once
-- its listing is closed (deleteArtifact refuses while one is open). The ids stay as text.
ALTER TABLE escrow_listings DROP CONSTRAINT escrow_listings_artifact_id_fkey;

-- An artifact held for sale still counts against its seller's disk quota (src/artifacts/queries.ts
-- diskUsed): this finds a seller's open listings.
CREATE INDEX escrow_open_by_seller ON escrow_listings (seller_id) WHERE status = 'open';
