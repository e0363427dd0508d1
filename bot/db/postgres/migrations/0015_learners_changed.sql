-- Several processes on one database each keep a server's learners in memory, prepared for pairing
-- (bot/pairing/learners.py), with who looks for a partner; a change made by another process (a pair
-- formed from a DM, which reaches shard 0 whichever shard holds the server) must reach them. Every
-- change of the tables they are built from NOTIFYs `nexus_learners` as it commits, with the server
-- and the process that made it (its connections' application_name), so the others forget that
-- server's learners. PostgreSQL sends one notification per distinct payload per transaction.
-- (SQLite's 0015 makes nothing: a SQLite file is one process's.)
CREATE FUNCTION nexus_learners_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('nexus_learners',
                      (CASE WHEN TG_OP = 'DELETE' THEN OLD.guild_id ELSE NEW.guild_id END)::text
                      || ' ' || current_setting('application_name'));
    RETURN NULL;
END
$$;

CREATE TRIGGER member_profiles_learners_changed AFTER INSERT OR UPDATE OR DELETE ON member_profiles
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER projects_learners_changed AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER pairs_learners_changed AFTER INSERT OR UPDATE OR DELETE ON pairs
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER pair_members_learners_changed AFTER INSERT OR UPDATE OR DELETE ON pair_members
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER pair_queue_learners_changed AFTER INSERT OR UPDATE OR DELETE ON pair_queue
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER pair_departed_learners_changed AFTER INSERT OR UPDATE OR DELETE ON pair_departed
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
CREATE TRIGGER guild_config_learners_changed AFTER INSERT OR UPDATE OR DELETE ON guild_config
    FOR EACH ROW EXECUTE FUNCTION nexus_learners_changed();
