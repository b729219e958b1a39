package org.chtopenmrs.conformance;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.searchparam.submit.config.SearchParamSubmitterConfig;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.jpa.subscription.submit.config.SubscriptionSubmitterConfig;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.commons.dbcp2.BasicDataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * TEST-ONLY. The Spring beans of a HAPI FHIR JPA server (R4) on H2 in memory (or PostgreSQL), with the storage
 * settings the hapiproject/hapi image runs with by default, as far as they change what our mediators see.
 * Production runs the image (docker-compose.yml), never this.
 */
@Configuration
@Import({
  JpaR4Config.class,
  HapiJpaConfig.class,
  JpaBatch2Config.class,
  Batch2JobsConfig.class,
  SubscriptionChannelConfig.class,
  SubscriptionSubmitterConfig.class,
  SearchParamSubmitterConfig.class,
  ThreadPoolFactoryConfig.class
})
public class ServerConfig {

  /** The image's defaults (hapi-fhir-jpaserver-starter AppProperties) that our mediators can observe. */
  @Bean
  public JpaStorageSettings storageSettings() {
    JpaStorageSettings settings = new JpaStorageSettings();
    settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ALPHANUMERIC);
    settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.SEQUENTIAL_NUMERIC);
    settings.setAllowExternalReferences(false);
    settings.setAutoCreatePlaceholderReferenceTargets(false);
    settings.setEnforceReferentialIntegrityOnWrite(true);
    settings.setEnforceReferentialIntegrityOnDelete(true);
    settings.setExpungeEnabled(true);
    // The one difference from the image: `$expunge` with expungeEverything, which the tests use to start
    // each test from an empty server, needs it. Our mediators delete only by id, never by criteria.
    settings.setAllowMultipleDelete(true);
    settings.setReuseCachedSearchResultsForMillis(60_000L);
    settings.setExpireSearchResultsAfterMillis(60L * 60 * 1000);
    settings.setSearchPreFetchThresholds(List.of(13, 503, 2003, -1));
    settings.setAllowContainsSearches(true);
    settings.setDefaultSearchParamsCanBeOverridden(true);
    settings.setFilterParameterEnabled(true);
    settings.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
    settings.setIndexIdentifierOfType(false);
    return settings;
  }

  /** Subscriptions stay off, as in the image (no subscription types enabled). */
  @Bean
  public SubscriptionSettings subscriptionSettings() {
    return new SubscriptionSettings();
  }

  @Bean
  public PartitionSettings partitionSettings() {
    return new PartitionSettings();
  }

  /**
   * H2 in memory; or the database the system properties hapi.db.url, hapi.db.username and
   * hapi.db.password name (a PostgreSQL one, to compare with H2).
   */
  @Bean(destroyMethod = "close")
  public BasicDataSource dataSource() {
    BasicDataSource dataSource = new BasicDataSource();
    String url = System.getProperty("hapi.db.url", "");
    if (url.startsWith("jdbc:postgresql:")) {
      dataSource.setDriver(new org.postgresql.Driver());
      dataSource.setUrl(url);
      dataSource.setUsername(System.getProperty("hapi.db.username", ""));
      dataSource.setPassword(System.getProperty("hapi.db.password", ""));
    } else {
      dataSource.setDriver(new org.h2.Driver());
      dataSource.setUrl("jdbc:h2:mem:hapi;DB_CLOSE_DELAY=-1");
      dataSource.setUsername("sa");
      dataSource.setPassword("");
    }
    dataSource.setMaxTotal(10);
    return dataSource;
  }

  private static String dialect() {
    return System.getProperty("hapi.db.url", "").startsWith("jdbc:postgresql:")
        ? HapiFhirPostgresDialect.class.getName()
        : HapiFhirH2Dialect.class.getName();
  }

  @Bean
  public LocalContainerEntityManagerFactoryBean entityManagerFactory(
      ConfigurableListableBeanFactory beanFactory,
      FhirContext fhirContext,
      JpaStorageSettings storageSettings,
      DataSource dataSource) {
    LocalContainerEntityManagerFactoryBean factory =
        HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
    factory.setPersistenceUnitName("HAPI_PU");
    factory.setDataSource(dataSource);
    Properties jpa = new Properties();
    jpa.put("hibernate.dialect", dialect());
    jpa.put("hibernate.hbm2ddl.auto", "update");
    jpa.put("hibernate.search.enabled", "false");
    jpa.put("hibernate.format_sql", "false");
    jpa.put("hibernate.show_sql", "false");
    factory.setJpaProperties(jpa);
    return factory;
  }

  @Bean
  @Primary
  public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
    return new JpaTransactionManager(entityManagerFactory);
  }
}
