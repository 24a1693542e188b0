export default function Home() {
  return (
    <main>
      <h1>${{ values.component_id }}</h1>
      <p>${{ values.description }}</p>
    </main>
  );
}
