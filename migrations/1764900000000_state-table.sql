-- Up Migration
-- ferry's state store: one row per key (values are JSON; private keys arrive already
-- encrypted by the controller, see src/state/value-cipher.ts). A version comes from one
-- sequence, so a key deleted and written again never reuses a version.
CREATE SEQUENCE ferry_state_version;
CREATE TABLE ferry_state (
  key text COLLATE "C" PRIMARY KEY,
  value jsonb NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Every change is announced on the channel ferry_state_<schema> as {"k": key, "v": version}
-- (v 0: deleted); replicas LISTEN and re-read the key.
CREATE FUNCTION ferry_state_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('ferry_state_' || TG_TABLE_SCHEMA, json_build_object('k', OLD.key, 'v', 0)::text);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('ferry_state_' || TG_TABLE_SCHEMA, json_build_object('k', NEW.key, 'v', NEW.version)::text);
  RETURN NEW;
END $$;
CREATE TRIGGER ferry_state_changed AFTER INSERT OR UPDATE OR DELETE ON ferry_state
  FOR EACH ROW EXECUTE FUNCTION ferry_state_notify();

-- Down Migration
DROP TRIGGER ferry_state_changed ON ferry_state;
DROP FUNCTION ferry_state_notify();
DROP TABLE ferry_state;
DROP SEQUENCE ferry_state_version;
