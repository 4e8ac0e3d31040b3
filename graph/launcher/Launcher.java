// Runs Neo4j Community (its server bootstrapper, in this JVM) with the Bolt
// connector and, when HTTP_PORT > 0, the HTTP connector (HTTP API, discovery,
// and Neo4j Browser when its jar is on the class path), all bound to loopback,
// auth on. Started by graph/server.py; not meant to be run by hand.
//
// Usage: java -cp 'lib/*' Launcher.java HOME BOLT_PORT PASSWORD_FILE [PAGE_CACHE_MB [HTTP_PORT]]
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.server.CommunityBootstrapper;

public class Launcher {
    public static void main(String[] args) throws Exception {
        Path home = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path passwordFile = Path.of(args[2]);
        long pageCacheMb = args.length > 3 ? Long.parseLong(args[3]) : 512;
        int httpPort = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        String password = Files.readString(passwordFile).strip();

        // The same layout as an embedded DatabaseManagementServiceBuilder(home):
        // data under home/data, logs under home/logs.
        Map<String, String> config = new HashMap<>();
        config.put("server.default_listen_address", "127.0.0.1");
        config.put("server.default_advertised_address", "127.0.0.1");
        config.put("server.bolt.enabled", "true");
        config.put("server.bolt.listen_address", "127.0.0.1:" + port);
        config.put("server.bolt.advertised_address", "127.0.0.1:" + port);   // what discovery tells the Browser
        config.put("server.http.enabled", httpPort > 0 ? "true" : "false");
        config.put("server.http.listen_address", "127.0.0.1:" + Math.max(httpPort, 1));
        config.put("server.http.advertised_address", "127.0.0.1:" + Math.max(httpPort, 1));
        config.put("server.https.enabled", "false");
        config.put("dbms.security.auth_enabled", "true");
        config.put("server.memory.pagecache.size", pageCacheMb + "m");
        config.put("db.transaction.timeout", "30m");
        // Offline first: no usage reports, no client telemetry from the Browser.
        config.put("dbms.usage_report.enabled", "false");
        config.put("client.allow_telemetry", "false");

        CommunityBootstrapper boot = new CommunityBootstrapper();
        int code = boot.start(home, config);
        if (code != 0) {
            System.out.println("KIZASHI-NEO4J-FAILED bootstrapper exit code " + code);
            System.exit(code);
        }
        DatabaseManagementService dbms = boot.getDatabaseManagementService();

        // The default credentials neo4j/neo4j would be an open door (they only
        // allow a password change); the generated password is set once, first.
        Path marker = home.resolve("password-set");
        if (!Files.exists(marker)) {
            GraphDatabaseService system = dbms.database("system");
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED",
                    Map.of("pw", password));
            Files.writeString(marker, "1");
        }
        GraphDatabaseService db = dbms.database("neo4j");
        String version = db.executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                Map.of(), r -> (String) r.next().get("v"));
        boolean browser = Launcher.class.getClassLoader().getResource("browser/index.html") != null;
        System.out.println("KIZASHI-NEO4J-READY " + version + " bolt://127.0.0.1:" + port
                + (httpPort > 0 ? " http://127.0.0.1:" + httpPort + (browser ? " browser" : " no-browser") : ""));
        System.out.flush();
        // The bootstrapper's own shutdown hook and SIGTERM/SIGINT handlers stop the server.
        Thread.currentThread().join();
    }
}
