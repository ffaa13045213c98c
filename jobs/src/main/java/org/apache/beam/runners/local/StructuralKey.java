/*
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements.  See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership.  The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.apache.beam.runners.local;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * Beam 2.62's {@code StructuralKey} (runners/local-java, inside beam-runners-direct-java), with one
 * change: {@link #empty()} returns one instance, as its Javadoc promises ("all instances of the
 * empty key are considered equal"). Beam's returns a new key that equals no other, and the Direct
 * runner's {@code WatermarkManager.PerKeyHolds} keeps a hold per bundle key until the pipeline
 * ends: a streaming pipeline gained hundreds of holds a second, its heap growing without bound
 * (docs/DESIGN.md, "Over time: the soak"). Unkeyed bundles carry no hold of their own (state,
 * timers and splittable DoFns are keyed), so one key for all of them changes no watermark.
 *
 * <p>This class comes before Beam's on every class path the project builds (the jobs jar leads
 * run.sh's, surefire's and the shaded job jar's); {@code DirectRunnerPatchTest} fails if it does
 * not, or if Beam's version moves from the one this copy was taken from. Everything else is Beam's
 * code unchanged.
 */
public abstract class StructuralKey<K> {

  private static final StructuralKey<?> EMPTY = new EmptyStructuralKey();

  private StructuralKey() {
    // Prevents extending outside of this class
  }

  /** Returns the key that this {@link StructuralKey} was created from. */
  public abstract K getKey();

  /** Get the empty {@link StructuralKey}. All instances of the empty key are considered equal. */
  public static StructuralKey<?> empty() {
    return EMPTY;
  }

  /** Create a new Structural Key of the provided key that can be encoded by the provided coder. */
  public static <K> StructuralKey<K> of(K key, Coder<K> coder) {
    try {
      return new CoderStructuralKey<>(coder, key);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          "Could not encode a key with its provided coder " + coder.getClass().getSimpleName(), e);
    }
  }

  private static final class EmptyStructuralKey extends StructuralKey<Object> {
    @Override
    public Object getKey() {
      return this;
    }
  }

  private static class CoderStructuralKey<K> extends StructuralKey<K> {
    private final Coder<K> coder;
    private final Object structuralValue;
    private final byte[] encoded;

    private CoderStructuralKey(Coder<K> coder, K key) throws Exception {
      this.coder = coder;
      this.structuralValue = coder.structuralValue(key);
      this.encoded = CoderUtils.encodeToByteArray(coder, key);
    }

    @Override
    public K getKey() {
      try {
        return CoderUtils.decodeFromByteArray(coder, encoded);
      } catch (CoderException e) {
        throw new IllegalArgumentException(
            "Could not decode Key with coder of type " + coder.getClass().getSimpleName(), e);
      }
    }

    @Override
    public boolean equals(Object other) {
      if (other == this) {
        return true;
      }
      if (other instanceof CoderStructuralKey) {
        CoderStructuralKey<?> that = (CoderStructuralKey<?>) other;
        return structuralValue.equals(that.structuralValue);
      }
      return false;
    }

    @Override
    public int hashCode() {
      return structuralValue.hashCode();
    }
  }
}
