import { describe, expect, it } from "vitest";
import { rpmDistroMajor, rpmPurlSourceName, rpmSourceName } from "./rpm-distro.js";

describe("rpm distro helpers", () => {
  it("read the source package from a source rpm's file name", () => {
    expect(rpmSourceName("openssl-3.0.7-25.el9_3.src.rpm")).toBe("openssl");
    expect(rpmSourceName("python3.11-3.11.5-1.el9_3.src.rpm")).toBe("python3.11");
    expect(rpmSourceName("java-17-openjdk-17.0.9.0.9-2.el9.nosrc.rpm")).toBe("java-17-openjdk");
    expect(rpmSourceName("openssl")).toBeNull();
    expect(rpmPurlSourceName("libcurl", { upstream: "curl-7.76.1-26.el9.src.rpm" })).toBe("curl");
    expect(rpmPurlSourceName("libcurl", { upstream: "curl@7.76.1" })).toBe("curl");
    expect(rpmPurlSourceName("libcurl", {})).toBe("libcurl");
  });

  it("read the major release of a distro qualifier only for the distribution's own prefixes", () => {
    expect(rpmDistroMajor("rocky-9.3", ["rocky"])).toBe("9");
    expect(rpmDistroMajor("Rocky-Linux-8", ["rocky-linux"])).toBe("8");
    expect(rpmDistroMajor("9", ["rocky"])).toBe("9");
    expect(rpmDistroMajor("fedora-40", ["rocky"])).toBeNull();
    expect(rpmDistroMajor("rocky", ["rocky"])).toBeNull();
    expect(rpmDistroMajor(undefined, ["rocky"])).toBeNull();
  });
});
