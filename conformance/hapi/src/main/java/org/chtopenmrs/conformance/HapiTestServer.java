package org.chtopenmrs.conformance;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import ca.uhn.fhir.util.VersionUtil;
import java.net.InetSocketAddress;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * TEST-ONLY launcher: a HAPI FHIR JPA server (R4, H2 in memory) at http://127.0.0.1:PORT/fhir, for
 * `npm run test:hapi`. PORT is the first argument (0, the default, lets the OS choose). Once it answers it
 * prints one line: "HAPI FHIR <version> listening on <url> (started in <s> s)".
 */
public final class HapiTestServer {
  /** CapabilityStatement.implementation.description of this server. */
  public static final String TEST_ONLY_MARKER = "TEST-ONLY HAPI FHIR conformance server (cht-openmrs-interop)";

  private HapiTestServer() {}

  public static void main(String[] args) {
    try {
      start(args);
    } catch (Exception | LinkageError e) {
      e.printStackTrace();
      System.exit(1); // Spring's threads would keep a failed start alive
    }
  }

  private static void start(String[] args) throws Exception {
    long start = System.nanoTime();
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    AnnotationConfigApplicationContext spring = new AnnotationConfigApplicationContext(ServerConfig.class);

    Server jetty = new Server(new InetSocketAddress("127.0.0.1", port));
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(restfulServer(spring)), "/fhir/*");
    jetty.setHandler(context);
    jetty.start();

    int actualPort = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    System.out.printf(
        "HAPI FHIR %s listening on http://127.0.0.1:%d/fhir (started in %.1f s)%n",
        VersionUtil.getVersion(), actualPort, (System.nanoTime() - start) / 1e9);
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        jetty.stop();
      } catch (Exception ignored) {
        // stopping anyway
      }
      spring.close();
    }));
    jetty.join();
  }

  /** The FHIR endpoint as the image sets it up: JPA resource providers, system provider, paging, metadata. */
  @SuppressWarnings("unchecked")
  private static RestfulServer restfulServer(AnnotationConfigApplicationContext spring) {
    FhirContext fhirContext = spring.getBean(FhirContext.class);
    RestfulServer server = new RestfulServer(fhirContext);
    server.registerProviders(spring.getBean(ResourceProviderFactory.class).createProviders());
    server.registerProvider(spring.getBean(JpaSystemProvider.class));
    server.setPagingProvider(pagingProvider(spring));
    server.setDefaultResponseEncoding(EncodingEnum.JSON);
    JpaCapabilityStatementProvider metadata = new JpaCapabilityStatementProvider(
        server,
        spring.getBean(IFhirSystemDao.class),
        spring.getBean(JpaStorageSettings.class),
        spring.getBean(ISearchParamRegistry.class),
        spring.getBean(IValidationSupport.class));
    // Tests look for this before they empty the server: they never empty one that lacks it.
    metadata.setImplementationDescription(TEST_ONLY_MARKER);
    server.setServerConformanceProvider(metadata);
    return server;
  }

  /** Pages of 20 by default, as the image; no upper bound it would lower a `_count` to. */
  private static DatabaseBackedPagingProvider pagingProvider(AnnotationConfigApplicationContext spring) {
    DatabaseBackedPagingProvider paging = spring.getBean(DatabaseBackedPagingProvider.class);
    paging.setDefaultPageSize(20);
    paging.setMaximumPageSize(Integer.MAX_VALUE);
    return paging;
  }
}
