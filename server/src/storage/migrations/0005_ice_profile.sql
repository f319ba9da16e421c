-- v1.1 (CONTRACT 11.6): the ICE server profile a call drew when it was accepted; NULL before
-- (and on calls accepted by a server without this column).
ALTER TABLE calls ADD COLUMN ice_profile TEXT;
