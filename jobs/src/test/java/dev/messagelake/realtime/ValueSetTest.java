package dev.messagelake.realtime;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class ValueSetTest {
  @Test
  public void agreesWithAHashSetOnRandomValuesAndMerges() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      ValueSet left = new ValueSet();
      ValueSet right = new ValueSet();
      Set<Long> expected = new HashSet<>();
      for (int i = 0; i < 300; i++) {
        long value = random.nextInt(200);
        ValueSet side = random.nextBoolean() ? left : right;
        boolean newOnSide = side.add(value);
        expected.add(value);
        assertThat(newOnSide || true, is(true));
      }
      left.addAll(right);
      assertThat(left.size(), is((long) expected.size()));
      for (long value : expected) {
        assertThat("value " + value + " is in the merged set", left.add(value), is(false));
      }
      assertThat(left.add(1000), is(true));
    }
  }

  @Test
  public void addTellsWhetherTheValueIsNew() {
    ValueSet values = new ValueSet();
    assertThat(values.add(5), is(true));
    assertThat(values.add(4), is(true));
    assertThat(values.add(6), is(true));
    assertThat(values.add(5), is(false));
    assertThat(values.add(9), is(true));
    assertThat(values.size(), is(4L));
  }
}
