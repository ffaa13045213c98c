package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard page in a real headless browser (Debian's Chromium, driven through its
 * chromedriver): it loads, its four charts hold data from the database, and it follows new counts
 * by itself. Leaves a screenshot in target/dashboard-test/.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final List<String> CHARTS =
      List.of("byEventType", "byChannel", "topCountries", "corruptedShare");

  @TempDir Path work;
  private Dashboard dashboard;
  private ChromeDriver browser;
  private Dashboard.Options options;

  @BeforeEach
  void start() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the browser test needs Debian's Chromium and its driver: apt-get install chromium"
            + " chromium-driver (./run.sh test installs them)");
    options = PipelineOptionsFactory.as(Dashboard.Options.class);
    options.setJdbcUrl("jdbc:sqlite:" + work.resolve("realtime.db"));
    options.setPort(0);
    dashboard = Dashboard.start(options);

    ChromeOptions chrome = new ChromeOptions();
    chrome.setBinary(CHROMIUM.toFile());
    chrome.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1300,820",
        "--user-data-dir=" + work.resolve("chromium-profile"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    browser = new ChromeDriver(service, chrome);
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1300, 1000));
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (dashboard != null) {
      dashboard.close();
    }
  }

  @Test
  void showsTheCountsInFourChartsAndFollowsNewOnesByItself() throws Exception {
    long minute = System.currentTimeMillis() / 60_000 * 60_000;
    writeWindow(
        minute - 120_000,
        40,
        10,
        Map.of("OPEN", 25L, "SENT", 15L),
        Map.of("Brazil", 30L, "Japan", 10L));
    writeWindow(
        minute - 60_000,
        50,
        25,
        Map.of("OPEN", 20L, "CLICKED", 30L),
        Map.of("Brazil", 20L, "Spain", 30L));

    browser.get("http://127.0.0.1:" + dashboard.port() + "/");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.until(page -> refreshes() >= 1);

    for (String chart : CHARTS) {
      assertThat(chart + " plots data", total(chart), greaterThan(0.0));
    }
    assertEquals(90.0, total("byEventType"), "deduplicated valid events by type, both windows");
    assertThat(
        browser.findElement(org.openqa.selenium.By.id("status")).getText(),
        containsString("90 valid, 35 corrupted"));

    // The job fires again: the open minute appears, without a reload.
    int before = refreshes();
    writeWindow(minute, 12, 3, Map.of("SENT", 12L), Map.of("India", 12L));
    wait.until(page -> total("byEventType") == 102.0);
    assertThat(refreshes(), greaterThan(before));
    assertThat(categories("byEventType").size(), is(3));
    // The open minute is labelled as such while it is open (the clock may turn meanwhile).
    wait.until(
        page ->
            categories("byEventType").get(2).toString().endsWith(" (open)")
                || System.currentTimeMillis() >= minute + 60_000);
    for (String chart : List.of("byEventType", "byChannel", "corruptedShare")) {
      List<Object> labels = categories(chart);
      assertThat(chart, labels.get(0).toString() + labels.get(1), not(containsString("open")));
    }
    assertThat(
        browser.findElement(org.openqa.selenium.By.id("status")).getText(),
        containsString("102 valid, 38 corrupted"));

    int shown = refreshes();
    wait.until(page -> settled() >= shown); // charts drawn to the end of their animation
    File screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
    Path saved = Path.of("target", "dashboard-test", "dashboard.png");
    Files.createDirectories(saved.getParent());
    Files.copy(screenshot.toPath(), saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(saved), greaterThan(10_000L));
  }

  private int refreshes() {
    Object value = js("return document.body.dataset.refreshes || '0';");
    return Integer.parseInt(value.toString());
  }

  private int settled() {
    Object value = js("return document.body.dataset.settled || '0';");
    return Integer.parseInt(value.toString());
  }

  /** The sum of every value a chart plots. */
  private double total(String chart) {
    Object value =
        js(
            "const chart = echarts.getInstanceByDom(document.getElementById(arguments[0]));return"
                + " chart.getOption().series.flatMap(s => s.data).reduce((a, v) => a + (v || 0),"
                + " 0);",
            chart);
    return ((Number) value).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private List<Object> categories(String chart) {
    return (List<Object>)
        js(
            "return echarts.getInstanceByDom(document.getElementById(arguments[0]))"
                + ".getOption().xAxis[0].data;",
            chart);
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(script, args);
  }

  /** A firing of the realtime job for one window, as its upserts write it. */
  private void writeWindow(
      long windowStart,
      long valid,
      long corrupted,
      Map<String, Long> byType,
      Map<String, Long> byCountry)
      throws Exception {
    long now = System.currentTimeMillis();
    try (Connection connection = MessageCountsTable.connect(options);
        PreparedStatement upsert = connection.prepareStatement(MessageCountsTable.UPSERT)) {
      long events = valid + corrupted;
      Object[][] rows = {
        {"quality", "valid", valid}, {"quality", "corrupted", corrupted},
      };
      for (Object[] row : rows) {
        add(upsert, windowStart, (String) row[0], (String) row[1], (Long) row[2], events, now);
      }
      for (Map.Entry<String, Long> type : byType.entrySet()) {
        add(upsert, windowStart, "event_type", type.getKey(), type.getValue(), events, now);
        add(
            upsert,
            windowStart,
            "channel",
            type.getKey().equals("OPEN") ? "CHAT" : "SMS",
            type.getValue(),
            events,
            now);
      }
      for (Map.Entry<String, Long> country : byCountry.entrySet()) {
        add(upsert, windowStart, "country", country.getKey(), country.getValue(), events, now);
      }
      upsert.executeBatch();
    }
  }

  private static void add(
      PreparedStatement upsert,
      long window,
      String dimension,
      String key,
      long count,
      long windowEvents,
      long now)
      throws Exception {
    Object[] values = {window, dimension, key, count, windowEvents, now - 1_000, now};
    for (int i = 0; i < values.length; i++) {
      upsert.setObject(i + 1, values[i]);
    }
    upsert.addBatch();
  }
}
