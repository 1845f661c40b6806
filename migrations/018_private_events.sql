-- Sealed bids (SPEC section 9): an event with an audience is private to that principal. Bids, and the
-- transfers into and out of the oracle's hold account, are seen only by the bidder (and operators)
-- until the resolution publishes its results. NULL: public, as every event was before.
ALTER TABLE events ADD COLUMN audience text;
