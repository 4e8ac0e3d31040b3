// Runs Neo4j Community as an embedded database with only the Bolt connector,
// bound to loopback. Started by graph/server.py; not meant to be run by hand.
//
// Usage: java -cp 'lib/*' Launcher.java HOME PORT PASSWORD_FILE
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path passwordFile = Path.of(args[2]);
        long pageCacheMb = args.length > 3 ? Long.parseLong(args[3]) : 512;
        String password = Files.readString(passwordFile).strip();

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(30))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));

        // The default credentials neo4j/neo4j would be an open door; the
        // generated password is set once, before anything else connects.
        Path marker = home.resolve("password-set");
        if (!Files.exists(marker)) {
            GraphDatabaseService system = dbms.database("system");
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED",
                    java.util.Map.of("pw", password));
            Files.writeString(marker, "1");
        }
        GraphDatabaseService db = dbms.database("neo4j");
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                java.util.Map.of(), r -> (String) r.next().get("v"));
        System.out.println("KIZASHI-NEO4J-READY " + version + " bolt://127.0.0.1:" + port);
        System.out.flush();
        Thread.currentThread().join();
    }
}
