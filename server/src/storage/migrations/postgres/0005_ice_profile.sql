-- PostgreSQL twin of ../0005_ice_profile.sql (the same statement).
-- v1.1 (docs/config.md#ice-server-profiles): the ICE server profile a call drew when it was accepted; NULL before
-- (and on calls accepted by a server without this column).
ALTER TABLE calls ADD COLUMN ice_profile TEXT;
