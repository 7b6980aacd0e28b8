-- What a visit assignment is for: the home visit of the application (home_visit), a periodic review
-- (periodic_review) or the district's spot-check re-visit (revisit). A re-visit runs beside the township's own
-- visits: it is not the case's investigation and its team never becomes the case's investigators.
ALTER TABLE assignments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'home_visit';

-- The re-visit assignment created for a sampled household of a spot-check run (NULL until created).
ALTER TABLE spot_check_samples ADD COLUMN revisit_assignment TEXT;
