import { DevicesList } from "~/components/devices/devices-list";

export default function DevicesPage() {
  return <DevicesList />;
}
