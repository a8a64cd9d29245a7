-- A run history as gaitmond wrote it at schema version 2 (before strides were kept): one
-- ended run with advice and one left active by a kill, 3 minutes each. Made with gm_store
-- of that version and dumped with sqlite3 .dump.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE runs ( id INTEGER PRIMARY KEY AUTOINCREMENT, start_us INTEGER NOT NULL, state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'interrupted')), activity TEXT NOT NULL, duration_s REAL NOT NULL DEFAULT 0, steps INTEGER NOT NULL DEFAULT 0, cadence_spm REAL, stance_left_ms REAL, stance_right_ms REAL, hip_ext_left_deg REAL, hip_ext_right_deg REAL, pelvic_drop_left_deg REAL, pelvic_drop_right_deg REAL, asym_max_pct REAL, asym_metric TEXT NOT NULL DEFAULT '', fatigue_max REAL, load REAL, hip_ext_asym_pct REAL, pelvic_drop_asym_pct REAL, pelvic_drop_rise_left_deg REAL, pelvic_drop_rise_right_deg REAL, fatigue_level_max INTEGER NOT NULL DEFAULT 0, advice_summary TEXT NOT NULL DEFAULT '', rest_days INTEGER NOT NULL DEFAULT 0, acwr REAL);
INSERT INTO runs VALUES(1,1780000000000000,'ended','running',162.0,513,171.5,241.0,246.0,11.499999999999999999,13.0,5.5,4.5,6.0,'hip_extension',0.2000000000000000111,812.0,-7.5,4.25,1.0,NULL,1,'Easy run next; the left hip tired.',1,1.1000000000000000888);
INSERT INTO runs VALUES(2,1780086400000000,'active','running',162.0,513,171.5,241.0,246.0,11.499999999999999999,13.0,5.5,4.5,6.0,'',0.2000000000000000111,0.0,0.0,0.0,0.0,0.0,0,'',0,NULL);
CREATE TABLE run_minutes ( run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, t_s REAL NOT NULL, steps INTEGER NOT NULL, cadence_spm REAL, stance_left_ms REAL, stance_right_ms REAL, hip_ext_left_deg REAL, hip_ext_right_deg REAL, pelvic_drop_left_deg REAL, pelvic_drop_right_deg REAL, asym_max_pct REAL, fatigue REAL, length_s REAL NOT NULL, activity TEXT, PRIMARY KEY (run_id, t_s)) WITHOUT ROWID;
INSERT INTO run_minutes VALUES(1,0.0,170,170.5,240.0,245.0,12.5,13.0,5.0,4.5,0.0,0.0,60.0,'running');
INSERT INTO run_minutes VALUES(1,60.0,171,171.5,241.0,246.0,11.499999999999999999,13.0,5.5,4.5,3.0,0.10000000000000000555,60.0,'running');
INSERT INTO run_minutes VALUES(1,120.0,172,172.5,242.0,247.0,10.499999999999999999,13.0,6.0,4.5,6.0,0.2000000000000000111,42.0,'running');
INSERT INTO run_minutes VALUES(2,0.0,170,170.5,240.0,245.0,12.5,13.0,5.0,4.5,0.0,0.0,60.0,'running');
INSERT INTO run_minutes VALUES(2,60.0,171,171.5,241.0,246.0,NULL,13.0,5.5,4.5,3.0,0.10000000000000000555,60.0,'running');
INSERT INTO run_minutes VALUES(2,120.0,172,172.5,242.0,247.0,10.499999999999999999,13.0,6.0,4.5,6.0,0.2000000000000000111,42.0,'running');
CREATE TABLE run_actions ( run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE, position INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (run_id, position)) WITHOUT ROWID;
INSERT INTO run_actions VALUES(1,0,'Glute bridges, 3 x 15');
INSERT INTO run_actions VALUES(1,1,'Rest a day');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('runs',2);
CREATE INDEX runs_by_start ON runs (start_us);
COMMIT;
PRAGMA user_version = 2;
