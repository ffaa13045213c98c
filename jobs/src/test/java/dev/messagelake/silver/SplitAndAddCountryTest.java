package dev.messagelake.silver;

import dev.messagelake.contract.Countries;
import dev.messagelake.contract.LakeSchemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.Rule;
import org.junit.Test;

public class SplitAndAddCountryTest {
  @Rule public final transient TestPipeline pipeline = TestPipeline.create();

  private static final Instant AT = Instant.parse("2024-12-15T14:26:00Z");
  private static long nextValue;

  private static Row bronze(String eventType, Integer countryId) {
    return Row.withSchema(LakeSchemas.BRONZE_AS_READ)
        .addValues(AT, nextValue++, eventType, "m-1", "CHAT", countryId, 1001)
        .build();
  }

  private static Row silver(Row bronze, String country) {
    List<Object> values = new ArrayList<>(bronze.getValues());
    values.add(country);
    return Row.withSchema(LakeSchemas.SILVER).addValues(values).build();
  }

  @Test
  public void corruptedIsNullEmptyOrExactlyNoneAndEveryRowGetsItsCountry() {
    Row nullType = bronze(null, 2000);
    Row emptyType = bronze("", 2001);
    Row none = bronze("NONE", 2015);
    Row spacedNone = bronze(" NONE", 2002); // not exactly NONE: valid
    Row lowerNone = bronze("none", 2003); // not exactly NONE: valid
    Row open = bronze("OPEN", 2006);
    Row unknownCountry = bronze("SENT", 9999);
    Row nullCountry = bronze("CLICKED", null);
    Row corruptedUnknownCountry = bronze("NONE", 1234);

    PCollectionTuple split =
        pipeline
            .apply(
                Create.of(
                        Arrays.asList(
                            nullType,
                            emptyType,
                            none,
                            spacedNone,
                            lowerNone,
                            open,
                            unknownCountry,
                            nullCountry,
                            corruptedUnknownCountry))
                    .withRowSchema(LakeSchemas.BRONZE_AS_READ))
            .apply(new SilverTransforms.SplitAndAddCountry(Countries.bundled()));

    PAssert.that(split.get(SilverTransforms.VALID))
        .containsInAnyOrder(
            silver(spacedNone, "Spain"),
            silver(lowerNone, "Germany"),
            silver(open, "United Kingdom"),
            silver(unknownCountry, null),
            silver(nullCountry, null));
    PAssert.that(split.get(SilverTransforms.CORRUPTED))
        .containsInAnyOrder(
            silver(nullType, "Brazil"),
            silver(emptyType, "Portugal"),
            silver(none, "Argentina"),
            silver(corruptedUnknownCountry, null));
    pipeline.run().waitUntilFinish();
  }
}
